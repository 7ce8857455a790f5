// The role registry's rules, apart from the roles themselves (roles/index.js
// lists those): which role a signed-in session has, every role's routes for
// the router, their messages merged under the role's id, and a role's main
// page. Pure functions, so that they are tested without a browser.
//
// A role module (roles/<id>/index.js) exports
//   { id, matches(session), routes, nav, messages }
// where routes are vue-router records under /<id>/ with unique names, nav
// the header's links ({ to: route name, label: message key }) with the main
// page first, and messages { 'zh-CN': {...}, en: {...} } (read as
// '<id>.<key>').

// The first role whose matches() accepts the session, or null.
export function roleOf(session, roles) {
  if (!session) return null;
  return roles.find((r) => r.matches(session)) || null;
}

// A role's main page: the route its first nav entry names.
export function homeOf(role) {
  if (!role || !role.nav || role.nav.length === 0) return null;
  return role.nav[0].to;
}

// Every role's routes, each with meta.role set to the role's id, checked:
// a role's paths start with /<id>/, route names are unique, a nav entry
// names a route of its role. A mistake in a role's folder fails here, at
// start, rather than as a blank page later.
export function routesOf(roles) {
  const names = new Set();
  const ids = new Set();
  const out = [];
  for (const role of roles) {
    if (!role.id || !/^[a-z][a-z0-9-]*$/.test(role.id)) throw new Error(`role id "${role.id}" is not lower-case`);
    if (ids.has(role.id)) throw new Error(`role ${role.id} is listed twice`);
    ids.add(role.id);
    if (typeof role.matches !== 'function') throw new Error(`role ${role.id} has no matches(session)`);
    const own = new Set();
    for (const route of role.routes || []) {
      if (!route.path.startsWith(`/${role.id}/`)) {
        throw new Error(`route ${route.path} of role ${role.id} is not under /${role.id}/`);
      }
      if (!route.name) throw new Error(`route ${route.path} of role ${role.id} has no name`);
      if (names.has(route.name)) throw new Error(`route name ${route.name} is used twice`);
      names.add(route.name);
      own.add(route.name);
      out.push({ ...route, meta: { ...(route.meta || {}), role: role.id } });
    }
    if (!role.nav || role.nav.length === 0) throw new Error(`role ${role.id} has no nav entry`);
    for (const entry of role.nav) {
      if (!own.has(entry.to)) throw new Error(`nav entry ${entry.to} of role ${role.id} names no route of it`);
    }
  }
  return out;
}

// The application's messages with each role's under its id, per locale.
export function messagesOf(roles, base) {
  const out = {};
  for (const [locale, messages] of Object.entries(base)) out[locale] = { ...messages };
  for (const role of roles) {
    for (const [locale, messages] of Object.entries(role.messages || {})) {
      if (!out[locale]) out[locale] = {};
      if (out[locale][role.id]) throw new Error(`messages of role ${role.id} clash with the application's`);
      out[locale][role.id] = messages;
    }
  }
  return out;
}

// The keys one locale has and another lacks ("a.b.c"), for the test that
// every text is in both languages.
export function missingKeys(from, to, prefix = '') {
  const missing = [];
  for (const [k, v] of Object.entries(from || {})) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (v && typeof v === 'object') missing.push(...missingKeys(v, to ? to[k] : undefined, key));
    else if (!to || typeof to[k] !== 'string') missing.push(key);
  }
  return missing;
}
