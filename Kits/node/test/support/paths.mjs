// Where the kit and the repository are.

import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Kits/node. */
export const KIT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The repository root. */
export const REPOSITORY = resolve(KIT, '..', '..');
