import { createClient } from 'redis';
import { LedgerGuard } from 'tokenledger-guard';
import { startStack } from './test/support/real-stack.mjs';
import { claims } from './test/support/jws.mjs';
const stack = await startStack(process.env.TOKENLEDGER_SERVER_BIN, { example: false });
const pct = (a, f) => { const o = [...a].sort((x, y) => x - y); return o[Math.min(o.length - 1, Math.round(f * (o.length - 1)))].toFixed(2); };
try {
  const { server } = stack;
  const times = new Map();
  const rec = createClient({ url: stack.redis.url }); await rec.connect();
  await rec.subscribe(server.channel, (m) => { const j = claims(m).events?.['https://tokenledger.dev/secevent/revoked']?.jti; if (j) times.set(j, performance.now()); });
  const guard = new LedgerGuard({ issuer: server.issuer, clientId: stack.feedClient.clientId, clientSecret: stack.feedClient.clientSecret, redisUrl: stack.redis.url, channel: server.channel });
  await guard.start();
  const sync = guard.revocations.sync;
  const original = sync.received.bind(sync);
  const applied = new Map(); let waiter = null;
  sync.received = (message, now) => { const r = original(message, now); if (message.revoked) { applied.set(message.revoked.identifier, performance.now()); waiter?.(); } return r; };
  const caller = await server.machineClient();
  const kit = [], svc = [];
  for (let i = 0; i < 300; i++) {
    const t = await guard.validate(await server.clientCredentials(caller));
    await server.revoke({ jti: t.jti });
    const r = performance.now();
    while (!applied.has(t.jti)) await new Promise((res) => { waiter = res; setTimeout(res, 50); });
    await new Promise((res) => setTimeout(res, 2));
    svc.push(times.get(t.jti) - r); kit.push(applied.get(t.jti) - times.get(t.jti));
  }
  console.log('service share p50/p99', pct(svc, .5), pct(svc, .99), ' redis arrival -> applied p50/p90/p99/max', pct(kit, .5), pct(kit, .9), pct(kit, .99), pct(kit, 1));
  await guard.stop(); await rec.disconnect();
} finally { await stack.close(); }
