/**
 * The few Bun globals the Bun entrypoint uses, declared structurally (no
 * bun-types dependency).
 *
 * @module
 */

/** What `Bun.file(path).stat()` resolves to (the fields used). */
export interface BunStats {
  dev: number;
  ino: number;
  size: number;
}

/** A lazily read file, as `Bun.file` returns it. */
export interface BunFile {
  exists(): Promise<boolean>;
  stat(): Promise<BunStats>;
}

/** A running `Bun.serve` server. */
export interface BunServer {
  readonly port: number;
  stop(closeActiveConnections?: boolean): Promise<void> | void;
}

/** The `Bun` global, as far as this package uses it. */
export interface BunGlobal {
  readonly version: string;
  readonly env: Record<string, string | undefined>;
  file(path: string): BunFile;
  serve(options: {
    port: number;
    hostname?: string;
    fetch(request: Request): Response | Promise<Response>;
  }): BunServer;
}

/**
 * The `Bun` global.
 *
 * @returns It.
 * @throws {TypeError} When not running under Bun.
 */
export function bunGlobal(): BunGlobal {
  const bun = (globalThis as { Bun?: BunGlobal }).Bun;
  if (!bun) throw new TypeError("Cannot use @plato/scout/bun: not running under Bun");
  return bun;
}
