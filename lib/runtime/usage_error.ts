/**
 * A mistake the user made on the command line or in a config file. The CLI
 * prints its message as one line and exits 2; no stack trace.
 */
export class UsageError extends Error {
  /** @param message One line naming the problem, e.g. "Unknown flag '--foo'". */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "UsageError";
  }
}

/**
 * `text` on one line: line breaks and other control characters a user's
 * value brought in are escaped (`\n`, `\u0007`), so an error stays one line.
 *
 * @param text The message.
 * @returns The same text, one line.
 */
export function oneLine(text: string): string {
  let out = "";
  for (const ch of text) {
    const c = ch.charCodeAt(0);
    if (c >= 0x20 && c !== 0x7f) out += ch;
    else if (c === 10) out += "\\n";
    else if (c === 13) out += "\\r";
    else if (c === 9) out += "\\t";
    else out += `\\u${c.toString(16).padStart(4, "0")}`;
  }
  return out;
}
