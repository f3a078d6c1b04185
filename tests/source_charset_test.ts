/**
 * The package's modules are Latin-1 text. V8 keeps each module's source in
 * memory for as long as the module lives (Deno's transpiled JavaScript with
 * its inline source map, about three times the TypeScript), and one character
 * above U+00FF anywhere in it, a comment included, makes V8 store the whole
 * source two bytes per character. On the CLI's `--once` path that was 15
 * modules and ~270 KB more to allocate: one more young-generation collection
 * and ~4 ms of every start. Write such characters as `\u2026`-style escapes
 * in strings, and in ASCII in comments.
 */
import assert from "node:assert/strict";

const ROOT = new URL("../", import.meta.url);
const WIDE = /[\u0100-\u{10FFFF}]/u;

async function* modules(dir: URL): AsyncGenerator<URL> {
  for await (const entry of Deno.readDir(dir)) {
    if (entry.isDirectory) yield* modules(new URL(`${entry.name}/`, dir));
    else if (entry.name.endsWith(".ts")) yield new URL(entry.name, dir);
  }
}

Deno.test("every published module is Latin-1, so V8 stores its source one byte per character", async () => {
  const files: URL[] = ["mod.ts", "cli.ts", "server.ts", "deno.ts"].map((f) => new URL(f, ROOT));
  for await (const file of modules(new URL("lib/", ROOT))) files.push(file);
  for await (const file of modules(new URL("scouts/", ROOT))) files.push(file);
  const offenders: string[] = [];
  for (const file of files) {
    const lines = (await Deno.readTextFile(file)).split("\n");
    lines.forEach((line, i) => {
      const wide = WIDE.exec(line);
      if (wide) {
        const at = `U+${wide[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}`;
        offenders.push(`${file.pathname.slice(ROOT.pathname.length)}:${i + 1}: ${at}`);
      }
    });
  }
  assert.ok(files.length > 50, `found only ${files.length} modules`);
  assert.deepEqual(offenders, []);
});

Deno.test("the charset check catches characters past U+00FF and allows Latin-1", () => {
  for (const wide of ["\u2026", "\u2192", "\u2014", "\u2265", "\u{1F600}"]) {
    assert.ok(WIDE.test(`a ${wide} b`), wide);
  }
  for (const fine of ["ascii", "\u00b5s", "\u00d7", "\u00e9t\u00e9", "\u00b7"]) {
    assert.ok(!WIDE.test(fine), fine);
  }
});
