/** The process's guard configured by environment, for adapters given no guard of their own. */

import { LedgerGuard } from './guard.js';

/** Where the guard is kept: on `globalThis`, so a module loaded twice (a dev server's hot reload) still finds the one guard. */
const SHARED = Symbol.for('tokenledger-guard.default-guard');

/**
 * The guard the adapters use when none is passed: built from `TOKENLEDGER_*` variables on first
 * use (see `GuardSettings.optionsFromEnvironment`), one per process.
 * @returns {LedgerGuard}
 */
export function defaultGuard() {
  const global = /** @type {Record<symbol, LedgerGuard | undefined>} */ (globalThis);
  global[SHARED] ??= LedgerGuard.fromEnvironment();
  return global[SHARED];
}
