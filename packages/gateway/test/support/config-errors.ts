import { ConfigError } from '../../src/config.js';

/** The issues of the ConfigError `fn` throws; any other outcome fails the test. */
export function errorsOf(fn: () => unknown): Array<{ key: string; message: string }> {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err.issues;
    throw err;
  }
  throw new Error('expected a ConfigError');
}
