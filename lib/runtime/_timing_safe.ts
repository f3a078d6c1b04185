/**
 * Compare a presented secret with the expected one in time that does not
 * depend on where they differ or on the presented length: both are hashed
 * with SHA-256 (fixed length), and the digests compared without early exit.
 *
 * @param presented What the caller sent.
 * @param expected The configured secret.
 * @returns Whether they are equal.
 */
export async function timingSafeEqual(presented: string, expected: string): Promise<boolean> {
  const enc = new TextEncoder();
  const [a, b] = await Promise.all([
    crypto.subtle.digest("SHA-256", enc.encode(presented)),
    crypto.subtle.digest("SHA-256", enc.encode(expected)),
  ]);
  const x = new Uint8Array(a);
  const y = new Uint8Array(b);
  let diff = 0;
  for (let i = 0; i < x.length; i++) diff |= x[i] ^ y[i];
  return diff === 0;
}
