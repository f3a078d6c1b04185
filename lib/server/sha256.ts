/**
 * A small synchronous SHA-256 for the server's hot path: Web Crypto's
 * `crypto.subtle.digest` is asynchronous and costs tens of microseconds per
 * call on short inputs, which dominated batch ingest. Pure JavaScript, no
 * runtime APIs; checked against Web Crypto in the tests.
 *
 * @module
 */

// deno-fmt-ignore
const K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);

const W = new Int32Array(64);
const H = new Int32Array(8);
let buffer = new Uint8Array(1024);

/** UTF-8 encode `text` into `buffer` (grown as needed); returns the byte count. */
function encode(text: string): number {
  const need = text.length * 3 + 72;
  if (buffer.length < need) buffer = new Uint8Array(need);
  const out = buffer;
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i);
    if (c < 0x80) {
      out[n++] = c;
    } else if (c < 0x800) {
      out[n++] = 0xc0 | (c >> 6);
      out[n++] = 0x80 | (c & 63);
    } else {
      if (c >= 0xd800 && c < 0xdc00 && i + 1 < text.length) {
        const d = text.charCodeAt(i + 1);
        if (d >= 0xdc00 && d < 0xe000) {
          c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
          i++;
          out[n++] = 0xf0 | (c >> 18);
          out[n++] = 0x80 | ((c >> 12) & 63);
          out[n++] = 0x80 | ((c >> 6) & 63);
          out[n++] = 0x80 | (c & 63);
          continue;
        }
      }
      if (c >= 0xd800 && c < 0xe000) c = 0xfffd; // a lone surrogate, as TextEncoder does
      out[n++] = 0xe0 | (c >> 12);
      out[n++] = 0x80 | ((c >> 6) & 63);
      out[n++] = 0x80 | (c & 63);
    }
  }
  return n;
}

/** Hash `text` into `H`. */
function digest(text: string): void {
  const length = encode(text);
  const total = ((length + 9 + 63) >> 6) << 6;
  const m = buffer;
  m.fill(0, length, total);
  m[length] = 0x80;
  const bits = length * 8;
  const high = Math.floor(bits / 0x100000000);
  m[total - 8] = high >>> 24;
  m[total - 7] = high >>> 16;
  m[total - 6] = high >>> 8;
  m[total - 5] = high;
  m[total - 4] = bits >>> 24;
  m[total - 3] = bits >>> 16;
  m[total - 2] = bits >>> 8;
  m[total - 1] = bits;

  let h0 = 0x6a09e667, h1 = 0xbb67ae85 | 0, h2 = 0x3c6ef372, h3 = 0xa54ff53a | 0;
  let h4 = 0x510e527f, h5 = 0x9b05688c | 0, h6 = 0x1f83d9ab, h7 = 0x5be0cd19;
  for (let offset = 0; offset < total; offset += 64) {
    for (let i = 0, j = offset; i < 16; i++, j += 4) {
      W[i] = (m[j] << 24) | (m[j + 1] << 16) | (m[j + 2] << 8) | m[j + 3];
    }
    for (let i = 16; i < 64; i++) {
      const x = W[i - 15], y = W[i - 2];
      const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
      const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
      W[i] = (W[i - 16] + s0 + W[i - 7] + s1) | 0;
    }
    let a = h0, b = h1, c = h2, d = h3, e = h4, f = h5, g = h6, h = h7;
    for (let i = 0; i < 64; i++) {
      const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
      const t1 = (h + S1 + ((e & f) ^ (~e & g)) + K[i] + W[i]) | 0;
      const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
      const t2 = (S0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
      h = g;
      g = f;
      f = e;
      e = (d + t1) | 0;
      d = c;
      c = b;
      b = a;
      a = (t1 + t2) | 0;
    }
    h0 = (h0 + a) | 0;
    h1 = (h1 + b) | 0;
    h2 = (h2 + c) | 0;
    h3 = (h3 + d) | 0;
    h4 = (h4 + e) | 0;
    h5 = (h5 + f) | 0;
    h6 = (h6 + g) | 0;
    h7 = (h7 + h) | 0;
  }
  H[0] = h0, H[1] = h1, H[2] = h2, H[3] = h3, H[4] = h4, H[5] = h5, H[6] = h6, H[7] = h7;
}

function hex(words: number): string {
  let out = "";
  for (let i = 0; i < words; i++) out += (H[i] >>> 0).toString(16).padStart(8, "0");
  return out;
}

/**
 * SHA-256 of a string's UTF-8 bytes, as lower-case hex.
 *
 * @param text The input.
 * @returns 64 hex characters.
 *
 * @example Hash a string
 * ```ts
 * import { sha256Hex } from "./sha256.ts";
 * console.log(sha256Hex("abc").slice(0, 16)); // "ba7816bf8f01cfea"
 * ```
 */
export function sha256Hex(text: string): string {
  digest(text);
  return hex(8);
}

/**
 * The fleet gate's content hash, synchronously: the first 16 hex characters
 * of sha256(question + answer). Same value as `contentHash` in `lib/gate.ts`.
 *
 * @param question The tile's question.
 * @param answer The tile's answer (wire form).
 * @returns 16 lower-case hex characters.
 */
export function contentHashSync(question: string, answer: string): string {
  digest(question + answer);
  return hex(2);
}
