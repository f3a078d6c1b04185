import assert from "node:assert/strict";

const FORBIDDEN = /\bDeno\.|\bBun\.|from\s+["']node:|import\(\s*["']node:|\brequire\(/;

async function* coreFiles(dir: string): AsyncGenerator<string> {
  for await (const entry of Deno.readDir(dir)) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory) {
      if (path === "lib/runtime") continue;
      yield* coreFiles(path);
    } else if (entry.name.endsWith(".ts")) {
      yield path;
    }
  }
}

Deno.test("no core file in lib/ (outside lib/runtime/) or scouts/ imports node:* or mentions Deno. or Bun.", async () => {
  const offenders: string[] = [];
  let count = 0;
  const files: string[] = [];
  for await (const file of coreFiles("lib")) files.push(file);
  for await (const file of coreFiles("scouts")) files.push(file);
  for (const file of files) {
    count++;
    const text = await Deno.readTextFile(file);
    text.split("\n").forEach((line, i) => {
      if (FORBIDDEN.test(line)) offenders.push(`${file}:${i + 1}: ${line.trim()}`);
    });
  }
  assert.ok(count >= 10, `found only ${count} core files`);
  assert.deepEqual(offenders, []);
});

Deno.test("the purity check itself catches each forbidden form", () => {
  for (
    const bad of [
      'import x from "node:fs";',
      "Deno.env.get('X')",
      "Bun.file('x')",
      "const m = require('x')",
    ]
  ) {
    assert.ok(FORBIDDEN.test(bad), bad);
  }
  assert.ok(!FORBIDDEN.test('import { z } from "zod";'));
});
