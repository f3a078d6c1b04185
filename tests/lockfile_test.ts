/**
 * deno.lock holds what the package itself needs (zod, yaml): Deno fetches
 * every npm package a lockfile names, so a test-only package there (workerd,
 * about 200 MB) would be downloaded by the README's first command and every
 * user of a checkout. The tests' own packages live in tests/deno.lock (the
 * test task passes --lock=tests/deno.lock); a plain `deno test` of a test
 * file that imports one writes it into deno.lock, and this test then says so.
 */
import assert from "node:assert/strict";

Deno.test("deno.lock names only the package's own npm dependencies (zod, yaml)", async () => {
  const lock = JSON.parse(await Deno.readTextFile(new URL("../deno.lock", import.meta.url)));
  const packages = Object.keys(lock.npm ?? {}).map((p) => p.replace(/@[^@]+$/, ""));
  assert.deepEqual(
    packages.sort(),
    ["yaml", "zod"],
    "test-only packages got into deno.lock: run the tests with 'deno task test' (tests/deno.lock), and restore deno.lock",
  );
});
