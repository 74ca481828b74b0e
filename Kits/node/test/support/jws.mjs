// Signing compact JWS in tests, with WebCrypto: the tests' own tokens and forged broadcast messages.

/** @param {unknown} value */
export function encodeJSON(value) {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

/** The payload of a compact JWS, read without verification. */
export function claims(compact) {
  return JSON.parse(Buffer.from(compact.split('.')[1], 'base64url').toString('utf8'));
}

/** A fresh ES256 key pair. */
export function es256KeyPair() {
  return crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']);
}

/** An ES256 compact JWS of `payload` with `header` (alg ES256 unless the header says otherwise). */
export async function signES256(payload, privateKey, header) {
  const signingInput = `${encodeJSON({ alg: 'ES256', ...header })}.${encodeJSON(payload)}`;
  const signature = await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, privateKey, new TextEncoder().encode(signingInput));
  return `${signingInput}.${Buffer.from(signature).toString('base64url')}`;
}

/** A genuine message whose payload was edited by `edit`, keeping the original header and signature. */
export function tampered(compact, edit) {
  const [header, , signature] = compact.split('.');
  const payload = claims(compact);
  edit(payload);
  return `${header}.${encodeJSON(payload)}.${signature}`;
}
