/** What `capi` prints when a command fails: once, with the setting to change when one decides it. */
import { CommanderError } from 'commander';
import { describe, expect, it } from 'vitest';
import { failureReport } from '../src/cli/failure.js';
import { listenFailure, storeFailure } from '../src/cli/start-failures.js';
import { ConfigError } from '../src/config.js';
import { StoreError } from '../src/store/errors.js';

const systemError = (code: string, message: string) => Object.assign(new Error(message), { code });

describe('failureReport', () => {
  it('prints nothing more for an argument commander has refused and printed already', () => {
    const err = new CommanderError(
      1,
      'commander.invalidArgument',
      "error: option '-p, --port <port>' argument 'abc'",
    );
    expect(failureReport(err)).toEqual({ lines: [], exitCode: 1 });
  });

  it('prints a configuration error with exit code 2, and any other with its code and exit code 1', () => {
    expect(failureReport(new ConfigError([{ key: 'CAPI_PORT', message: 'Must be a number.' }]))).toEqual({
      lines: ['capi: Invalid configuration:\n  - CAPI_PORT: Must be a number.'],
      exitCode: 2,
    });
    expect(failureReport(systemError('EADDRINUSE', 'port 8080 is in use'))).toEqual({
      lines: ['capi: EADDRINUSE: port 8080 is in use'],
      exitCode: 1,
    });
  });

  it("prints Node's code once when its message starts with it", () => {
    const err = systemError('ENOENT', "ENOENT: no such file or directory, open 'events.json'");
    expect(failureReport(err).lines).toEqual(["capi: ENOENT: no such file or directory, open 'events.json'"]);
  });
});

describe('start failures', () => {
  const at = { host: '127.0.0.1', port: 8080 };

  it('names CAPI_PORT for a port in use or out of reach, CAPI_HOST for an address not of this machine', () => {
    const inUse = listenFailure(systemError('EADDRINUSE', 'listen EADDRINUSE'), at) as Error & {
      code: string;
    };
    expect(inUse.code).toBe('EADDRINUSE');
    expect(inUse.message).toMatch(
      /^port 8080 on 127\.0\.0\.1 is already in use: .*CAPI_PORT \(server\.port\)/,
    );
    expect((listenFailure(systemError('EACCES', 'x'), { ...at, port: 80 }) as Error).message).toContain(
      'CAPI_PORT',
    );
    expect((listenFailure(systemError('EADDRNOTAVAIL', 'x'), at) as Error).message).toContain('CAPI_HOST');
    const other = new Error('something else');
    expect(listenFailure(other, at)).toBe(other);
  });

  it('names CAPI_STORE_URL for a store out of reach, without its password', () => {
    const url = 'postgres://capi:s3cret@db.internal:5432/capi';
    for (const err of [
      systemError('ECONNREFUSED', 'connect ECONNREFUSED 10.0.0.5:5432'),
      systemError('ENOTFOUND', 'getaddrinfo ENOTFOUND db.internal'),
      systemError('28P01', 'password authentication failed for user "capi"'),
      systemError('3D000', 'database "capi" does not exist'),
      systemError('SQLITE_CANTOPEN', 'unable to open database file'),
      new Error('timeout exceeded when trying to connect'),
    ]) {
      const said = storeFailure(err, url) as Error;
      expect(said.message).toMatch(
        /^cannot open the store at postgres:\/\/capi:\*\*\*@db\.internal:5432\/capi: /,
      );
      expect(said.message).toMatch(/Check CAPI_STORE_URL \(store\.url\)$/);
      expect(said.message).not.toContain('s3cret');
      expect(said.cause).toBe(err);
    }
  });

  it('leaves the store errors that explain themselves, and unrelated ones, as they are', () => {
    const locked = new StoreError(
      'STORE_LOCKED',
      'The SQLite store is already in use by another gateway process.',
    );
    expect(storeFailure(locked, 'sqlite:./a.db')).toBe(locked);
    const bug = new TypeError('x is not a function');
    expect(storeFailure(bug, 'sqlite:./a.db')).toBe(bug);
  });
});
