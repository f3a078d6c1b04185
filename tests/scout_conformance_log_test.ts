/**
 * The log scout through the shared scout conformance suite. Its target is a
 * real file: "failing" is the watched application writing ERROR lines (the
 * scout must turn the new error signature into an ERROR tile), "garbage" is
 * non-UTF-8 bytes and an over-long line.
 */
import { logScoutKind } from "../scouts/log.ts";
import { denoFileSource } from "../lib/runtime/deno_file_source.ts";
import { scoutConformance } from "./scout_conformance.ts";

scoutConformance("log", async ({ options, state }) => {
  const dir = await Deno.makeTempDir({ prefix: "log_conformance_" });
  const file = `${dir}/app.log`;
  await Deno.writeTextFile(file, "2026-11-24T10:00:00Z INFO service started\n");
  const append = (text: string | Uint8Array) =>
    typeof text === "string"
      ? Deno.writeTextFile(file, text, { append: true })
      : Deno.writeFile(file, text, { append: true });
  let failures = 0;
  const watch = logScoutKind.watch.parse({ type: "log", file, pattern: "ERROR|WARN" });
  return {
    scout: logScoutKind.create(options, watch, { state, files: denoFileSource() }),
    watched: [file],
    fail: () =>
      append(
        `2026-11-24T10:0${failures}:00Z ERROR upstream connection refused to 10.0.0.${++failures}:5432 after 3 retries\n`,
      ),
    garble: async () => {
      await append(
        new Uint8Array([0xff, 0xfe, 0x45, 0x52, 0x52, 0x4f, 0x52, 0x20, 0xc3, 0x28, 0x0a]),
      );
      await append(`WARN ${"x".repeat(100_000)}\n`);
    },
    dispose: () => Deno.remove(dir, { recursive: true }),
  };
});
