// The one way the application speaks to the server: same-origin fetch with the
// session cookie; X-CSRF-Token on every write; an Idempotency-Key on writes
// that move money (the caller makes one per click, so a retry of the same
// click has no second effect). Every failure is an ApiError carrying the
// server's {err_code, err_msg}.

let csrfToken = '';
const unauthorizedListeners = new Set();

export function setCsrfToken(token) {
  csrfToken = token || '';
}

// Called with the ApiError when a request other than the session's own is
// answered 401 (the session ended): the shell sends the user to sign in.
export function onUnauthorized(listener) {
  unauthorizedListeners.add(listener);
  return () => unauthorizedListeners.delete(listener);
}

export class ApiError extends Error {
  constructor(status, errCode, errMsg, retryAfter = null) {
    super(errMsg);
    this.name = 'ApiError';
    this.status = status;
    this.err_code = errCode;
    this.err_msg = errMsg;
    // seconds from a Retry-After header (a locked account's 429), or null
    this.retry_after = retryAfter;
  }
}

// A fresh random key for one click of a write (128 bits, hex).
export function newIdempotencyKey() {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

// "/api/v1/x?a=1&b=2" from a path and an object of query values (empty ones
// left out).
export function withQuery(path, query) {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
  }
  const s = params.toString();
  return s ? `${path}?${s}` : path;
}

// path: under the server's origin ("/api/v1/funds"). Options: method, query,
// body (sent as JSON), idempotencyKey, as ('json' | 'text'), signal.
export async function api(path, options = {}) {
  const { method = 'GET', query, body, idempotencyKey, as = 'json', signal } = options;
  const headers = { Accept: as === 'json' ? 'application/json' : 'text/plain, */*' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && method !== 'HEAD' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  if (idempotencyKey) headers['Idempotency-Key'] = idempotencyKey;
  let response;
  try {
    response = await fetch(withQuery(path, query), {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
      cache: 'no-store',
      signal,
    });
  } catch (e) {
    if (e && e.name === 'AbortError') throw e;
    throw new ApiError(0, 'NETWORK', '');
  }
  if (!response.ok) {
    const error = await errorOf(response);
    if (response.status === 401 && !path.startsWith('/api/v1/session')) {
      for (const listener of unauthorizedListeners) listener(error);
    }
    throw error;
  }
  if (response.status === 204) return null;
  if (as === 'text') return response.text();
  const text = await response.text();
  return text ? parseJsonExact(text) : null;
}

// JSON.parse, except that a number written with a fraction or an exponent
// (the clearing reports' yuan, "7500.10"), or an integer beyond 2^53, is kept
// as its own text: money never passes through a double.
export function parseJsonExact(text) {
  return JSON.parse(text, (key, value, context) => {
    if (typeof value !== 'number') return value;
    const source = context && context.source;
    if (source === undefined) return value;
    if (/[.eE]/.test(source) || !Number.isSafeInteger(value)) return source;
    return value;
  });
}

async function errorOf(response) {
  let errCode = `HTTP-${response.status}`;
  let errMsg = response.statusText || '';
  try {
    const body = JSON.parse(await response.text());
    if (body && typeof body === 'object') {
      if (body.err_code) errCode = String(body.err_code);
      if (body.err_msg) errMsg = String(body.err_msg);
    }
  } catch {
    // not JSON: keep the status line
  }
  const retry = Number.parseInt(response.headers.get('Retry-After') || '', 10);
  return new ApiError(response.status, errCode, errMsg, Number.isFinite(retry) ? retry : null);
}
