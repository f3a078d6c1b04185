/**
 * The runtime-neutral log engine the log scout runs on: a bounded line
 * splitter, pattern scanning, error signatures, interval summaries and a
 * `tail -F` state machine over a {@linkcode FileSource} each runtime supplies.
 *
 * @module
 */
export * from "./file_source.ts";
export * from "./signature.ts";
export * from "./shape_hasher.ts";
export * from "./level.ts";
export * from "./pattern.ts";
export * from "./line_splitter.ts";
export * from "./line_scanner.ts";
export * from "./interval_summary.ts";
export * from "./known_signatures.ts";
export * from "./tailer.ts";
export * from "./log_watcher.ts";
