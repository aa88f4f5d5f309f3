import { readFileSync } from 'node:fs';
import { FINDING_CODES } from '@capi-gateway/linkedin';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, errorBody, GatewayError } from '../src/errors.js';

const DOC = new URL('../../../docs/errors.md', import.meta.url);

/** Codes listed in docs/errors.md: the first cell of each table row, written `CODE`. */
function documentedCodes(): string[] {
  const text = readFileSync(DOC, 'utf8');
  return [...text.matchAll(/^\|\s*`([A-Z0-9_]+)`\s*\|/gm)].map((m) => m[1] as string);
}

describe('error catalogue', () => {
  it('each key equals its code, with a status, a kind, a message and a fix', () => {
    for (const [key, info] of Object.entries(ERROR_CODES)) {
      expect(info.code).toBe(key);
      expect(key).toMatch(/^[A-Z][A-Z0-9_]+$/);
      expect([200, 400, 401, 404, 405, 409, 413, 415, 422, 429, 500, 503]).toContain(info.status);
      expect(['request', 'event', 'warning']).toContain(info.kind);
      expect(info.message.length).toBeGreaterThan(10);
      expect(info.fix.length).toBeGreaterThan(10);
    }
  });

  it('includes every SDK finding code, passed through per event', () => {
    for (const code of Object.keys(FINDING_CODES)) expect(ERROR_CODES).toHaveProperty(code);
  });

  it('includes the codes the issue names', () => {
    for (const code of [
      'AUTH_MISSING',
      'AUTH_INVALID',
      'ADMIN_DISABLED',
      'BODY_TOO_LARGE',
      'BODY_INVALID_JSON',
      'BODY_INVALID',
      'TOO_MANY_EVENTS',
      'EVENT_INVALID',
      'EVENT_ID_MISSING',
      'CONVERSION_UNKNOWN',
      'HAPPENED_AT_INVALID',
      'NOT_FOUND',
      'SHUTTING_DOWN',
      'STORE_UNAVAILABLE',
      'INTERNAL',
    ]) {
      expect(ERROR_CODES).toHaveProperty(code);
    }
  });

  it('docs/errors.md lists exactly the catalogue’s codes, each once', () => {
    const documented = documentedCodes();
    expect(new Set(documented).size).toBe(documented.length);
    expect([...documented].sort()).toEqual(Object.keys(ERROR_CODES).sort());
  });

  it('docs/errors.md gives each code the catalogue’s status', () => {
    const text = readFileSync(DOC, 'utf8');
    for (const [code, info] of Object.entries(ERROR_CODES)) {
      expect(text).toMatch(new RegExp(`^\\|\\s*\`${code}\`\\s*\\|\\s*${info.status}\\s*\\|`, 'm'));
    }
  });

  it('builds request-level bodies with the catalogue’s fix', () => {
    expect(errorBody('NOT_FOUND')).toEqual({
      error: { code: 'NOT_FOUND', message: ERROR_CODES.NOT_FOUND.message, fix: ERROR_CODES.NOT_FOUND.fix },
    });
    const err = new GatewayError('BODY_INVALID', {
      path: '/events',
      message: 'x',
      details: [{ code: 'a', path: '/b', message: 'c' }],
    });
    expect(err.status).toBe(400);
    expect(err.toBody()).toEqual({
      error: {
        code: 'BODY_INVALID',
        message: 'x',
        fix: ERROR_CODES.BODY_INVALID.fix,
        path: '/events',
        details: [{ code: 'a', path: '/b', message: 'c' }],
      },
    });
  });
});
