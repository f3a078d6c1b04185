/**
 * Small pieces the Deno file readers share (the log scout's file source, the
 * holodeck dir reader, the config file read): what a path that is not a
 * regular file is, and a read that stops at a size.
 *
 * @module
 */

/**
 * A path's kind in a few words: "a folder", "a FIFO", "a socket", "a device".
 *
 * @param info The path's `Deno.stat`.
 * @returns The words, for `'<path>' is not a regular file (<kind>)`.
 */
export function fileKind(info: Deno.FileInfo): string {
  return info.isDirectory
    ? "a folder"
    : info.isFifo
    ? "a FIFO"
    : info.isSocket
    ? "a socket"
    : info.isCharDevice || info.isBlockDevice
    ? "a device"
    : "not a file";
}

/**
 * Read an open file to its end, at most `max` bytes: past them, throw what
 * `tooLarge` makes (a device never ends; a runaway file may not).
 *
 * @param file The open file.
 * @param max The most bytes to keep.
 * @param tooLarge The error for a file larger than `max`.
 * @returns The bytes.
 */
export async function readAtMost(
  file: Deno.FsFile,
  max: number,
  tooLarge: () => Error,
): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  while (true) {
    const chunk = new Uint8Array(Math.min(64 * 1024, max + 1 - total));
    const n = await file.read(chunk);
    if (n === null) break;
    chunks.push(chunk.subarray(0, n));
    total += n;
    if (total > max) throw tooLarge();
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}
