// The README's Next.js route handler and Remix loader are the very files the end-to-end tests call.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { KIT } from './support/paths.mjs';

const readme = readFileSync(join(KIT, 'README.md'), 'utf8');

for (const fixture of ['next-route.mjs', 'remix-loader.mjs']) {
  test(`the README shows test/fixtures/${fixture} verbatim`, () => {
    const code = readFileSync(join(KIT, 'test', 'fixtures', fixture), 'utf8');
    assert.ok(readme.includes('```js\n' + code + '```\n'), `README.md lacks the code of ${fixture}`);
  });
}

test('the fixtures compile against Web Request and Response alone: they import nothing but the kit', async () => {
  for (const fixture of ['next-route.mjs', 'remix-loader.mjs']) {
    const code = readFileSync(join(KIT, 'test', 'fixtures', fixture), 'utf8');
    assert.deepEqual([...code.matchAll(/from '([^']+)'/g)].map((m) => m[1]), ['tokenledger-guard']);
  }
  const { GET } = await import('./fixtures/next-route.mjs');
  const { loader } = await import('./fixtures/remix-loader.mjs');
  assert.equal(typeof GET, 'function');
  assert.equal(typeof loader, 'function');
});
