import { describe, expect, test } from 'vitest';
import base from '../messages.js';
import { roles } from './index.js';
import { homeOf, messagesOf, missingKeys, roleOf, routesOf } from './registry.js';

const sessions = {
  cashier: { role: 'hospital', duty: 'cashier', scope: 'H12010300001' },
  doctor: { role: 'hospital', duty: 'doctor', scope: 'H12010300001' },
  agency: { role: 'agency', duty: null, scope: '130000' },
  resident: { role: 'resident', duty: null, scope: '1305000000000001' },
  operator: { role: 'admin', duty: null, scope: '*' },
};

describe('the roles of the application', () => {
  test('each kind of session finds its role and its main page', () => {
    for (const [id, s] of Object.entries(sessions)) {
      const role = roleOf(s, roles);
      expect(role && role.id).toBe(id);
      expect(homeOf(role)).toMatch(new RegExp(`^${id}-`));
    }
  });
  test('a hospital system key and no session have no pages', () => {
    expect(roleOf({ role: 'hospital', duty: 'system', scope: 'H1' }, roles)).toBe(null);
    expect(roleOf(null, roles)).toBe(null);
  });
  test('every route is under its role, named once, with meta.role', () => {
    const routes = routesOf(roles);
    expect(routes.length).toBeGreaterThanOrEqual(15);
    for (const r of routes) expect(r.path.startsWith(`/${r.meta.role}/`)).toBe(true);
    expect(new Set(routes.map((r) => r.name)).size).toBe(routes.length);
  });
  test('every text is in Chinese and in English', () => {
    const messages = messagesOf(roles, base);
    expect(missingKeys(messages['zh-CN'], messages.en)).toEqual([]);
    expect(missingKeys(messages.en, messages['zh-CN'])).toEqual([]);
    for (const role of roles) {
      for (const n of role.nav) {
        const [id, ...rest] = n.label.split('.');
        let v = messages['zh-CN'][id];
        for (const k of rest) v = v && v[k];
        expect(typeof v, n.label).toBe('string');
      }
    }
  });
});

describe('a mistake in a role folder is found at start', () => {
  const ok = {
    id: 'x',
    matches: () => true,
    routes: [{ path: '/x/a', name: 'x-a', component: {} }],
    nav: [{ to: 'x-a', label: 'x.nav.a' }],
    messages: {},
  };
  test('a path outside the role', () => {
    expect(() => routesOf([{ ...ok, routes: [{ path: '/y/a', name: 'x-a' }] }])).toThrow(/not under \/x\//);
  });
  test('a name used twice, a role listed twice', () => {
    expect(() => routesOf([ok, { ...ok, id: 'y', routes: [{ path: '/y/a', name: 'x-a' }], nav: [] }])).toThrow(/twice/);
    expect(() => routesOf([ok, ok])).toThrow(/listed twice/);
  });
  test('a nav entry naming no route of the role, or no nav at all', () => {
    expect(() => routesOf([{ ...ok, nav: [{ to: 'x-b', label: '' }] }])).toThrow(/names no route/);
    expect(() => routesOf([{ ...ok, nav: [] }])).toThrow(/no nav/);
  });
  test('messages clashing with the application\'s', () => {
    expect(() => messagesOf([{ ...ok, id: 'app', messages: { en: { a: 'b' } } }], { en: { app: {} } })).toThrow(/clash/);
  });
  test('the first matching role wins', () => {
    const a = { ...ok, id: 'a' };
    const b = { ...ok, id: 'b' };
    expect(roleOf({ role: 'any' }, [a, b]).id).toBe('a');
  });
});
