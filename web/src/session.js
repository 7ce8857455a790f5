// The signed-in person, as the server's session answers it
// ({username, display_name, role, duty, scope, csrf_token, idle_timeout_s}),
// shared by the shell and the pages. The session itself is the server's
// HttpOnly cookie; this only mirrors what GET /api/v1/session says.
import { reactive } from 'vue';
import { api, setCsrfToken } from './api/client.js';

export const session = reactive({
  current: null, // the session's answer, or null when nobody is signed in
  ended: false, // set when a request found the session over (shown on sign-in)
  error: null, // why the session could not be asked for (other than 401)
});

function keep(view) {
  session.current = view;
  setCsrfToken(view ? view.csrf_token : '');
}

// GET /api/v1/session: the current session, or null when there is none
// (401). Other failures are thrown (the sign-in page shows them).
export async function loadSession() {
  try {
    const view = await api('/api/v1/session');
    keep(view);
    session.error = null;
    return view;
  } catch (e) {
    if (e && e.status === 401) {
      keep(null);
      return null;
    }
    throw e;
  }
}

// POST /api/v1/session {username, password}. Throws the server's refusal
// (XT-AUTH-008 wrong name or password, XT-AUTH-009 locked) as an ApiError.
export async function signIn(username, password) {
  const view = await api('/api/v1/session', { method: 'POST', body: { username, password } });
  keep(view);
  session.ended = false;
  session.error = null;
  return view;
}

// DELETE /api/v1/session; the local copy is dropped even when the server
// cannot be reached (the cookie then ends by its idle timeout).
export async function signOut() {
  try {
    await api('/api/v1/session', { method: 'DELETE' });
  } finally {
    keep(null);
  }
}

export function forgetSession() {
  keep(null);
  session.ended = true;
}
