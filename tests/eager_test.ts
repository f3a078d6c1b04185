/**
 * tools/_eager.ts: the build's pass that marks the bundle's functions for
 * eager compilation. The marked module must run as the original did, and V8
 * must really compile its functions with the module.
 */
import assert from "node:assert/strict";
import { eagerFunctions, importCycle, staticImports } from "../tools/_eager.ts";
import { parse } from "npm:acorn@^8.15.0";

const SAMPLE = `
import { helper as h } from "data:text/javascript,export const helper = (x) => x * 2;";
export const early = twice(3);
var log = [];
function twice(x) { return h(x); }
async function later(x) { await null; return x + 1; }
function* count(n) { for (let i = 0; i < n; i++) yield i; }
const arrow = (a) => (b) => a + b;
const obj = { method(x) { return x - 1; }, get value() { return 7; }, fn: function (x) { return x * 3; } };
class Box { #v; constructor(v) { this.#v = v; } get v() { return this.#v; } map(f) { return new Box(f(this.#v)); } static of(v) { return new Box(v); } }
export function named() { return [twice.name, later.name, count.name, arrow.name, obj.fn.name]; }
export { twice as double, later, count, arrow, obj, Box, log };
export const calls = [1, 2, 3].map(function (x) { return x * x; }).concat([4].map((x) => x));
`;

async function load(code: string): Promise<Record<string, unknown>> {
  const dir = await Deno.makeTempDir({ prefix: "eager_" });
  try {
    const file = `${dir}/m.js`;
    await Deno.writeTextFile(file, code);
    return { ...(await import(`file://${file}`)) };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("eagerFunctions: the marked module runs as the original does", async () => {
  const { code, declarations, expressions } = eagerFunctions(SAMPLE);
  // twice, later, count; "export function" (the bundler writes none) stays.
  assert.equal(declarations, 3);
  assert.ok(expressions >= 5, `${expressions} expressions`);
  const before = await load(SAMPLE);
  const after = await load(code);
  // A declaration is usable before its place in the chunk, as when hoisted.
  assert.equal(after.early, 6);
  assert.deepEqual((after.named as () => string[])(), (before.named as () => string[])());
  assert.deepEqual((after.named as () => string[])(), ["twice", "later", "count", "arrow", "fn"]);
  assert.equal(await (after.later as (x: number) => Promise<number>)(1), 2);
  assert.deepEqual([...(after.count as (n: number) => Iterable<number>)(3)], [0, 1, 2]);
  assert.equal((after.arrow as (a: number) => (b: number) => number)(1)(2), 3);
  const obj = after.obj as { method(x: number): number; value: number; fn(x: number): number };
  assert.deepEqual([obj.method(5), obj.value, obj.fn(2)], [4, 7, 6]);
  const Box = after.Box as { of(v: number): { map(f: (v: number) => number): { v: number } } };
  assert.equal(Box.of(2).map((v) => v + 1).v, 3);
  assert.deepEqual(after.calls, [1, 4, 9, 4]);
});

Deno.test("eagerFunctions: declarations become parenthesized expressions first in the chunk; methods stay", () => {
  const { code } = eagerFunctions(SAMPLE);
  const program = parse(code, { ecmaVersion: "latest", sourceType: "module" }) as unknown as {
    body: { type: string }[];
  };
  assert.equal(program.body.filter((n) => n.type === "FunctionDeclaration").length, 0);
  assert.ok(code.startsWith("var twice=(function twice(x)"), code.slice(0, 60));
  assert.match(code, /const arrow = \(\(a\) => \(\(b\) => a \+ b\)\)/);
  assert.match(code, /\{ method\(x\) \{ return x - 1; \}, get value\(\)/);
  assert.match(code, /static of\(v\) \{ return new Box\(v\); \}/);
  // Already parenthesized expressions are not wrapped twice.
  assert.equal(eagerFunctions("export const f = (() => 1);").code, "export const f = (() => 1);");
  // A shebang stays first.
  assert.ok(
    eagerFunctions("#!/usr/bin/env x\nfunction f() {}\n").code.startsWith(
      "#!/usr/bin/env x\nvar f=",
    ),
  );
});

/** How many of `file`'s functions V8 compiled lazily (a `parse-function` event) in one run. */
async function lazyCompiles(file: string): Promise<number> {
  const dir = await Deno.makeTempDir({ prefix: "eager_log_" });
  try {
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--no-code-cache",
        `--v8-flags=--log-function-events,--logfile=${dir}/v8.log,--no-logfile-per-isolate`,
        file,
      ],
      cwd: dir,
      stdout: "null",
      stderr: "piped",
    }).output();
    assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
    const log = await Deno.readTextFile(`${dir}/v8.log`);
    const ids = new Set<string>();
    for (const line of log.split("\n")) {
      const [kind, id, url] = line.split(",");
      if (kind === "script-details" && url === `file://${file}`) ids.add(id);
    }
    assert.ok(ids.size > 0, "V8's log names the module (its format has changed?)");
    return log.split("\n").filter((line) => {
      const [kind, event, id] = line.split(",");
      return kind === "function" && event === "parse-function" && ids.has(id);
    }).length;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("eagerFunctions: V8 compiles the marked functions with the module, not at their first call", async () => {
  const source = Array.from({ length: 20 }, (_, i) => `function f${i}(x) { return x + ${i}; }`)
    .join("\n") +
    `\nconst g = (x) => x * 2;\nlet s = 0;\n` +
    Array.from({ length: 20 }, (_, i) => `s += f${i}(1);`).join("") + "s += g(1);\n";
  const dir = await Deno.makeTempDir({ prefix: "eager_src_" });
  try {
    await Deno.writeTextFile(`${dir}/plain.js`, source);
    await Deno.writeTextFile(`${dir}/eager.js`, eagerFunctions(source).code);
    assert.ok(await lazyCompiles(`${dir}/plain.js`) >= 21, "the plain module compiles lazily");
    assert.equal(await lazyCompiles(`${dir}/eager.js`), 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("importCycle finds a cycle among the chunks' static imports, and none where there is none", () => {
  const acyclic = new Map([["a.js", ["b.js", "c.js"]], ["b.js", ["c.js"]], ["c.js", []]]);
  assert.equal(importCycle(acyclic), undefined);
  const cyclic = new Map([["a.js", ["b.js"]], ["b.js", ["c.js"]], ["c.js", ["a.js"]]]);
  assert.deepEqual(importCycle(cyclic), ["a.js", "b.js", "c.js", "a.js"]);
  assert.deepEqual(
    staticImports(
      'import{a}from"./x.js";import"./y.js";export{b}from"./z.js";import("./lazy.js");import"npm:q";',
    ),
    ["x.js", "y.js", "z.js"],
  );
});
