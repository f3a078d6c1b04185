/**
 * Character classes and shape tests shared by the signature tokenizer.
 *
 * @module
 */

// Character classes (ASCII); everything >= 128 counts as a letter; 0 is
// other punctuation, which tokens may contain.
/** Whitespace. */
export const C_SPACE = 1;
/** Characters that end a token: ()[]{}<>;=| */
export const C_DELIM = 2;
/** Quotes: " ' ` */
export const C_QUOTE = 3;
/** 0-9. */
export const C_DIGIT = 4;
/** a-f and A-F. */
export const C_HEXL = 5;
/** Other letters. */
export const C_ALPHA = 6;
/** The class of each ASCII code. */
export const CLASS: Uint8Array = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  if (c >= 48 && c <= 57) CLASS[c] = C_DIGIT;
  else if ((c >= 65 && c <= 70) || (c >= 97 && c <= 102)) CLASS[c] = C_HEXL;
  else if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122)) CLASS[c] = C_ALPHA;
  else if (c === 32 || c === 9 || c === 13 || c === 10 || c === 11 || c === 12) CLASS[c] = C_SPACE;
  else if ("()[]{}<>;=|".includes(String.fromCharCode(c))) CLASS[c] = C_DELIM;
  else if (c === 34 || c === 39 || c === 96) CLASS[c] = C_QUOTE;
}
/** The class of any UTF-16 code unit. */
export const cls = (c: number): number => (c < 128 ? CLASS[c] : C_ALPHA);
/** A digit or a letter. */
export const isAlnum = (c: number): boolean => {
  const k = cls(c);
  return k >= C_DIGIT;
};
/** 0-9, a-f, A-F. */
export const isHexDigit = (c: number): boolean => {
  const k = c < 128 ? CLASS[c] : C_ALPHA;
  return k === C_DIGIT || k === C_HEXL;
};
/** Trailing punctuation split off a token: . , : ; ! ? */
export const isTrail = (c: number): boolean =>
  c === 46 || c === 44 || c === 58 || c === 59 || c === 33 || c === 63;

/** Whether a `.` follows the `@` at `at` inside the token ending at `e`. */
export function hasDotAfter(text: string, at: number, e: number): boolean {
  for (let k = e - 2; k > at + 1; k--) if (text.charCodeAt(k) === 46) return true;
  return false;
}

/** Whether the 36 code units at `i` are a UUID. */
export function isUuid(text: string, i: number): boolean {
  for (let k = 0; k < 36; k++) {
    const c = text.charCodeAt(i + k);
    if (k === 8 || k === 13 || k === 18 || k === 23) {
      if (c !== 45) return false;
    } else if (!isHexDigit(c)) return false;
  }
  return true;
}

/** Whether `text[i, e)` is an IPv4 address, with an optional `:port`. */
export function isIpv4(text: string, i: number, e: number): boolean {
  let groups = 0, len = 0, k = i;
  for (; k < e; k++) {
    const c = text.charCodeAt(k);
    if (c >= 48 && c <= 57) {
      if (++len > 3) return false;
    } else if (c === 46 && len > 0 && groups < 3) {
      groups++;
      len = 0;
    } else break;
  }
  if (groups !== 3 || len === 0) return false;
  if (k === e) return true;
  // An optional :port.
  if (text.charCodeAt(k) !== 58 || k + 1 === e) return false;
  for (k++; k < e; k++) {
    const c = text.charCodeAt(k);
    if (c < 48 || c > 57) return false;
  }
  return true;
}
