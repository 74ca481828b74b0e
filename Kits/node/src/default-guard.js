/** The process's guard configured by environment, for adapters given no guard of their own. */

import { LedgerGuard } from './guard.js';

/** @type {LedgerGuard | null} */
let shared = null;

/**
 * The guard the adapters use when none is passed: built from `TOKENLEDGER_*` variables on first
 * use (see `GuardSettings.optionsFromEnvironment`), one per process.
 */
export function defaultGuard() {
  shared ??= LedgerGuard.fromEnvironment();
  return shared;
}
