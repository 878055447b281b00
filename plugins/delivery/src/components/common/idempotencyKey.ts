/**
 * A new `Idempotency-Key` for one user action (a rollback, stop-rollout, re-run or drift check).
 * Make one per submit and reuse it only when retrying that same submit: the backend then answers
 * the retry with the first answer instead of acting twice. A random UUID where the browser has
 * `crypto.randomUUID` (secure contexts; not every jsdom), else 128 random bits as hex.
 */
export function newIdempotencyKey(): string {
  const webCrypto: Partial<Crypto> | undefined = globalThis.crypto;
  if (typeof webCrypto?.randomUUID === 'function') {
    return webCrypto.randomUUID();
  }
  const bytes = new Uint8Array(16);
  if (typeof webCrypto?.getRandomValues === 'function') {
    webCrypto.getRandomValues(bytes);
  } else {
    for (let i = 0; i < bytes.length; i++) {
      bytes[i] = Math.floor(Math.random() * 256);
    }
  }
  return Array.from(bytes, b => b.toString(16).padStart(2, '0')).join('');
}
