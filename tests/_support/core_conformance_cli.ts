/**
 * Runs the core conformance cases under Node or Bun (bundled to one ES
 * module first): `node conformance.mjs <platoUrl> <runtime>`. Prints the
 * results as one JSON line; exits 1 when a case failed.
 *
 * @module
 */
import { runCoreConformance } from "./core_conformance.ts";

const proc = (globalThis as unknown as {
  process: { argv: string[]; exitCode?: number; version?: string };
}).process;
const [platoUrl, runtime] = proc.argv.slice(2);
const results = await runCoreConformance(platoUrl, runtime);
console.log(JSON.stringify({ runtime, version: proc.version, results }));
if (results.some((r) => !r.ok)) proc.exitCode = 1;
