// src/index.d.ts is hand-written: it must declare exactly what src/index.js exports.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import * as kit from 'tokenledger-guard';
import { KIT } from './support/paths.mjs';

test('index.d.ts declares every runtime export and nothing more', () => {
  const declarations = readFileSync(join(KIT, 'src', 'index.d.ts'), 'utf8');
  const declared = new Set([...declarations.matchAll(/^export declare (?:const|class|function) (\w+)/gm)].map((m) => m[1]));
  assert.deepEqual([...declared].sort(), Object.keys(kit).sort());
});

test('package.json points its types and exports at the declarations and the entry point', () => {
  const manifest = JSON.parse(readFileSync(join(KIT, 'package.json'), 'utf8'));
  assert.equal(manifest.name, 'tokenledger-guard');
  assert.equal(manifest.type, 'module');
  assert.equal(manifest.engines.node, '>=20');
  assert.equal(manifest.peerDependencies.redis, '^4');
  assert.deepEqual(manifest.exports['.'], { types: './src/index.d.ts', default: './src/index.js' });
  assert.equal(manifest.types, './src/index.d.ts');
});
