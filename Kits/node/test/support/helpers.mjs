// Small helpers of the end-to-end tests: polling for an answer, forging broadcast messages.

import { randomUUID } from 'node:crypto';
import { es256KeyPair, signES256 } from './jws.mjs';
import { sleep } from './real-stack.mjs';

/** Seconds from the revoke call returning to the example server refusing the token (typically milliseconds). */
export const PROPAGATION_BOUND = 2;
/** The kit's default staleness bound, which the example server uses. */
export const STALENESS_BOUND = 10;

/** Seconds until `answer()` resolves to `status`; throws with the last status after `timeout` seconds. */
export async function secondsUntil(answer, status, timeout, interval = 5) {
  const started = performance.now();
  let last = null;
  while (performance.now() - started < timeout * 1000) {
    last = (await answer()).status;
    if (last === status) return (performance.now() - started) / 1000;
    await sleep(interval);
  }
  throw new Error(`expected ${status} within ${timeout} s, last answer ${last}`);
}

/** Whether `answer()` resolves to `status` every time it is asked during `duration` seconds. */
export async function answersThroughout(answer, status, duration) {
  const deadline = performance.now() + duration * 1000;
  while (performance.now() < deadline) {
    if ((await answer()).status !== status) return false;
    await sleep(50);
  }
  return true;
}

/** A client-wide revocation signed by a key that is not the issuer's, under the issuer's `kid`. */
export async function forgedRevocation(issuer, kid, { seq, prevSeq, clientId }) {
  const now = Math.trunc(Date.now() / 1000);
  const payload = {
    iss: issuer, jti: randomUUID(), iat: now, seq, prev_seq: prevSeq,
    events: {
      'https://tokenledger.dev/secevent/revoked': { scope: 'client', client_id: clientId, not_before: now + 60, until: now + 900, reason: 'admin' },
    },
  };
  const impostor = await es256KeyPair();
  return signES256(payload, impostor.privateKey, { kid, typ: 'secevent+jwt' });
}
