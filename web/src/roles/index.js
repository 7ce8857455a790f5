// The roles whose pages the application has. A new service adds its pages as
// one folder under roles/ and one line here (docs/web.md, "Adding a role's
// pages"). Order matters only when two roles would match one session: the
// first wins.
import cashier from './cashier/index.js';
import doctor from './doctor/index.js';
import agency from './agency/index.js';
import resident from './resident/index.js';
import operator from './operator/index.js';

export const roles = [cashier, doctor, agency, resident, operator];
