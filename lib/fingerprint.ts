/**
 * A short, synchronous fingerprint of text, for state that must recognise a
 * value without keeping it (a configuration or a URL may hold credentials).
 *
 * @module
 */

/**
 * A 64-bit hash of `text`'s UTF-16 code units (two 32-bit FNV-1a-style lanes,
 * each with its own offset basis and multiplier), as 16 hex characters: enough
 * to tell one value from another, not to resist an attacker. Synchronous,
 * unlike `crypto.subtle`, whose first digest costs a Deno process ~0.7 ms.
 *
 * @param text The value.
 * @returns 16 lower-case hex characters.
 */
export function fingerprint(text: string): string {
  let a = 0x811c9dc5, b = 0x050c5d1f;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
  }
  return (a >>> 0).toString(16).padStart(8, "0") + (b >>> 0).toString(16).padStart(8, "0");
}
