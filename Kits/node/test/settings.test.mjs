// Configuration: the Python kit's environment variables and LedgerGuard's defaults.

import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { test } from 'node:test';
import { DEFAULT_CHANNEL, DEFAULT_REDIS_URL, GuardSettings, LedgerGuard } from 'tokenledger-guard';

const environment = {
  TOKENLEDGER_ISSUER: 'https://login.example.com/',
  TOKENLEDGER_FEED_CLIENT_ID: 'orders-api',
  TOKENLEDGER_FEED_CLIENT_SECRET: 'very-secret',
};

test('the environment gives issuer, feed client, audience, Redis URL and channel, with the defaults', () => {
  const settings = new GuardSettings(GuardSettings.optionsFromEnvironment(environment));
  assert.equal(settings.issuer, 'https://login.example.com/');
  assert.equal(settings.base, 'https://login.example.com');
  assert.deepEqual([settings.clientId, settings.clientSecret, settings.audience], ['orders-api', 'very-secret', null]);
  assert.deepEqual([settings.redisUrl, settings.channel], [DEFAULT_REDIS_URL, DEFAULT_CHANNEL]);
  assert.deepEqual(
    [settings.clockSkew, settings.stalenessBound, settings.channelIdleTimeout, settings.jwksRefetchInterval, settings.cacheCapacity, settings.startupWait, settings.realm, settings.retryAfter],
    [5, 10, 6, 5, 100_000, 5, 'api', 2],
  );
  const custom = GuardSettings.optionsFromEnvironment({
    ...environment,
    TOKENLEDGER_AUDIENCE: 'https://orders.example.com',
    TOKENLEDGER_REDIS_URL: 'redis://redis:6379/1',
    TOKENLEDGER_REDIS_CHANNEL: 'ledger:revocations',
  });
  assert.deepEqual([custom.audience, custom.redisUrl, custom.channel], ['https://orders.example.com', 'redis://redis:6379/1', 'ledger:revocations']);
});

test('a missing required variable is named', () => {
  for (const name of Object.keys(environment)) {
    const partial = { ...environment, [name]: '' };
    assert.throws(() => LedgerGuard.fromEnvironment(partial), { name: 'TypeError', message: `${name} is not set` });
  }
});

test('the feed client\'s secret is never printed or serialized', () => {
  const guard = LedgerGuard.fromEnvironment(environment);
  assert.equal(guard.settings.clientSecret, 'very-secret');
  assert.ok(!JSON.stringify(guard.settings).includes('very-secret'));
  assert.ok(!inspect(guard.settings).includes('very-secret'));
  assert.ok(!inspect(guard, { depth: 5 }).includes('very-secret'));
});
