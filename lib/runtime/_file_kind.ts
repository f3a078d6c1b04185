/**
 * What a path that is not a regular file is, for the one-line errors of the
 * Deno file readers (the log scout's file source, the holodeck dir reader).
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
