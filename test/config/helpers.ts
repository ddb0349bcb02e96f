// Shared by the configuration tests.
import { ConfigError } from '../../src/config/load.js';

/** The ConfigError `fn` throws; fails the test if it throws anything else or nothing. */
export function errorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}
