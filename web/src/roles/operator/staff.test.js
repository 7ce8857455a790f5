import { describe, expect, it } from 'vitest';
import { addBody, checkForm, emptyForm, resetBody, scopeFor, stateOf } from './staff.js';

describe('checkForm', () => {
  it('accepts a cashier with a scope and no password', () => {
    expect(checkForm({ ...emptyForm(), username: 'cashier.li', scope: 'H12010100001' })).toEqual({});
  });
  it('names each wrong field', () => {
    const errors = checkForm({ ...emptyForm(), username: 'Bad Name', scope: '', password: 'short' });
    expect(errors).toEqual({ username: 'badUsername', scope: 'needScope', password: 'shortPassword' });
  });
  it('wants a duty for a hospital only', () => {
    expect(checkForm({ ...emptyForm(), username: 'a', duty: '', scope: 'H1' }).duty).toBe('needDuty');
    expect(checkForm({ ...emptyForm(), username: 'a', role: 'resident', duty: '', scope: 'P1' }).duty).toBeUndefined();
  });
  it('wants a province code for an agency', () => {
    expect(checkForm({ ...emptyForm(), username: 'a', role: 'agency', scope: '130500' }).scope).toBe('badProvince');
    expect(checkForm({ ...emptyForm(), username: 'a', role: 'agency', scope: '130000' }).scope).toBeUndefined();
  });
  it('counts characters, not bytes, for the password', () => {
    expect(checkForm({ ...emptyForm(), username: 'a', scope: 'H1', password: '密码密码密码密码密码' }).password).toBeUndefined();
    expect(checkForm({ ...emptyForm(), username: 'a', scope: 'H1', password: '密码密码' }).password).toBe('shortPassword');
  });
  it('bounds the display name in bytes', () => {
    expect(checkForm({ ...emptyForm(), username: 'a', scope: 'H1', display_name: '名'.repeat(34) }).display_name).toBe('longName');
    expect(checkForm({ ...emptyForm(), username: 'a', scope: 'H1', display_name: '名'.repeat(33) }).display_name).toBeUndefined();
  });
});

describe('addBody', () => {
  it('sends no duty but for a hospital and no empty password', () => {
    expect(addBody({ ...emptyForm(), username: 'ag', role: 'agency', scope: ' 130000 ' })).toEqual({
      username: 'ag',
      display_name: '',
      role: 'agency',
      scope: '130000',
    });
    expect(addBody({ ...emptyForm(), username: 'c', scope: 'H1', password: 'long enough pw' })).toEqual({
      username: 'c',
      display_name: '',
      role: 'hospital',
      duty: 'cashier',
      scope: 'H1',
      password: 'long enough pw',
    });
  });
  it('gives an operator the scope *', () => {
    expect(scopeFor('admin', 'anything')).toBe('*');
    expect(addBody({ ...emptyForm(), username: 'op', role: 'admin' }).scope).toBe('*');
  });
});

describe('resetBody and stateOf', () => {
  it('asks for a generated password when none is typed', () => {
    expect(resetBody('')).toEqual({});
    expect(resetBody('a new password')).toEqual({ password: 'a new password' });
  });
  it('says disabled before locked', () => {
    expect(stateOf({ disabled: true, locked: true })).toBe('disabled');
    expect(stateOf({ disabled: false, locked: true })).toBe('locked');
    expect(stateOf({ disabled: false, locked: false })).toBe('active');
  });
});
