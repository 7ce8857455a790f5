// What the staff-account form sends and checks before it does: the same
// rules the server applies (service/accounts.h), so that a mistake is said
// next to its field at once; the server still decides (its XT-AUTH-012..015
// answers are shown as they come).

export const ROLES = ['hospital', 'agency', 'resident', 'admin'];
export const DUTIES = ['cashier', 'doctor'];
export const PASSWORD_CHARS_MIN = 10; // service/accounts.h kPasswordCharsMin
export const USERNAME_BYTES_MAX = 64;
export const DISPLAY_NAME_BYTES_MAX = 100;

const USERNAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;

export function emptyForm() {
  return { username: '', display_name: '', role: 'hospital', duty: 'cashier', scope: '', password: '' };
}

// The scope an operator types for a role: an admin's is always "*".
export function scopeFor(role, scope) {
  return role === 'admin' ? '*' : scope.trim();
}

// Field name -> message key of what is wrong with the form; empty when it
// may be sent.
export function checkForm(form) {
  const errors = {};
  if (!USERNAME.test(form.username)) errors.username = 'badUsername';
  if (new TextEncoder().encode(form.display_name).length > DISPLAY_NAME_BYTES_MAX) errors.display_name = 'longName';
  if (!ROLES.includes(form.role)) errors.role = 'badRole';
  if (form.role === 'hospital' && !DUTIES.includes(form.duty)) errors.duty = 'needDuty';
  const scope = scopeFor(form.role, form.scope);
  if (form.role === 'agency' && !/^\d{2}0000$/.test(scope)) errors.scope = 'badProvince';
  else if (!scope) errors.scope = 'needScope';
  if (form.password && [...form.password].length < PASSWORD_CHARS_MIN) errors.password = 'shortPassword';
  return errors;
}

// The body of POST /api/v1/admin/accounts: no duty but for a hospital, no
// password when none was typed (the server then makes one and shows it once).
export function addBody(form) {
  const body = {
    username: form.username,
    display_name: form.display_name.trim(),
    role: form.role,
    scope: scopeFor(form.role, form.scope),
  };
  if (form.role === 'hospital') body.duty = form.duty;
  if (form.password) body.password = form.password;
  return body;
}

// The body of POST /api/v1/admin/accounts/{username}/reset.
export function resetBody(password) {
  return password ? { password } : {};
}

// A row's state for the table: disabled wins over locked.
export function stateOf(account) {
  if (account.disabled) return 'disabled';
  if (account.locked) return 'locked';
  return 'active';
}
