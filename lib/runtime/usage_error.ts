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
