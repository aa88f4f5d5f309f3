import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { maskCredentialsInText, redactUrlCredentials } from '../src/redact-url.js';

describe('redactUrlCredentials', () => {
  it('masks a password in the user-info and in secret query parameters, and nothing else', () => {
    expect(redactUrlCredentials('http://admin:s3cret@127.0.0.1:8080/')).toBe(
      'http://admin:***@127.0.0.1:8080/',
    );
    expect(redactUrlCredentials('postgres://capi@db/capi?sslmode=require&password=s3cret')).toBe(
      'postgres://capi@db/capi?sslmode=require&password=***',
    );
    expect(redactUrlCredentials('http://127.0.0.1:8080/v1')).toBe('http://127.0.0.1:8080/v1');
  });

  it('masks the user-info of text that does not parse as a URL', () => {
    expect(redactUrlCredentials('postgres://capi:s3cret@[bad/capi')).toBe('postgres://***@[bad/capi');
    expect(redactUrlCredentials('postgres://capi:s3 cr@t@[bad/capi')).toBe('postgres://***@[bad/capi');
    expect(redactUrlCredentials('./data/gateway.db')).toBe('./data/gateway.db');
  });
});

describe('maskCredentialsInText', () => {
  it('masks every URL user-info in a message and keeps the rest', () => {
    expect(
      maskCredentialsInText(
        'Request cannot be constructed from a URL that includes credentials: http://a:b@h:1/x',
      ),
    ).toBe('Request cannot be constructed from a URL that includes credentials: http://***@h:1/x');
    expect(maskCredentialsInText('one //u:p@h and two //v:q@@k/ here')).toBe(
      'one //***@h and two //***@k/ here',
    );
    expect(maskCredentialsInText('connect ECONNREFUSED 127.0.0.1:5432')).toBe(
      'connect ECONNREFUSED 127.0.0.1:5432',
    );
  });

  it('never leaves a password in a message that quotes its URL', () => {
    const passwordChar = fc.constantFrom(...'abcXYZ019:@!$%&*+=~.-_'.split(''));
    fc.assert(
      fc.property(
        fc.array(passwordChar, { minLength: 1, maxLength: 24 }),
        fc.boolean(),
        (chars, withUser) => {
          const password = `CANARY${chars.join('')}`;
          const url = `postgres://${withUser ? 'capi:' : ''}${password}@db.internal:5432/capi`;
          const message = `connection to ${url} failed: timeout`;
          expect(maskCredentialsInText(message)).not.toContain('CANARY');
          expect(maskCredentialsInText(message)).toContain('@db.internal:5432/capi failed: timeout');
        },
      ),
    );
  });
});
