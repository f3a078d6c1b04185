/**
 * Mark the bundle's functions for eager compilation, so that Deno's code
 * cache holds their bytecode (`build_cli.ts` runs this over each chunk).
 *
 * V8 compiles a module's top-level code when it loads it, and each function
 * only when it is first called; Deno makes its code cache right after the
 * compile, so a function's bytecode is never cached and every run compiles
 * again each function it calls (an HTTP `--once` run calls ~240 of the
 * bundle's). V8 compiles a function literal at once when it is wrapped in
 * parentheses (`(function f() {})`, `((a) => a)`), the heuristic for an
 * immediately invoked function, and those are then in the cache. So:
 *
 * - each top-level `function f() {}` becomes `var f = (function f() {});`,
 *   moved to the top of its chunk: it exists before any of the chunk's code
 *   runs, as the declaration did (a chunk's imports are evaluated first
 *   either way; a cycle between chunks could call it earlier, and
 *   {@linkcode importCycle} makes the build refuse one);
 * - each other function or arrow expression not already parenthesized is
 *   wrapped in parentheses.
 *
 * Class methods and object-literal methods cannot be marked and are left as
 * they are.
 *
 * @module
 */
import { parse } from "npm:acorn@^8.15.0";

/** An ESTree node, as acorn gives it. */
interface Node {
  type: string;
  start: number;
  end: number;
  [key: string]: unknown;
}

function isNode(value: unknown): value is Node {
  return typeof value === "object" && value !== null &&
    typeof (value as Node).type === "string" && typeof (value as Node).start === "number";
}

/** Each node of `root`, with its parent. */
function walk(root: Node, visit: (node: Node, parent: Node | undefined) => void): void {
  const stack: [Node, Node | undefined][] = [[root, undefined]];
  while (stack.length > 0) {
    const [node, parent] = stack.pop()!;
    visit(node, parent);
    for (const key of Object.keys(node)) {
      const value = node[key];
      if (Array.isArray(value)) {
        for (const item of value) if (isNode(item)) stack.push([item, node]);
      } else if (isNode(value)) stack.push([value, node]);
    }
  }
}

/** What {@linkcode eagerFunctions} changed in one chunk. */
export interface EagerResult {
  /** The chunk's new source. */
  code: string;
  /** Top-level function declarations turned into parenthesized expressions. */
  declarations: number;
  /** Function and arrow expressions wrapped in parentheses. */
  expressions: number;
}

/**
 * Mark a bundle chunk's functions for eager compilation (see the module
 * documentation). The result runs as the chunk did.
 *
 * @param source A chunk: an ES module.
 * @returns The new source and what changed.
 */
export function eagerFunctions(source: string): EagerResult {
  const program = parse(source, {
    ecmaVersion: "latest",
    sourceType: "module",
    preserveParens: true,
  }) as unknown as Node & { body: Node[] };
  // The value of a method (class or object literal) cannot be parenthesized.
  const methods = new Set<unknown>();
  const functions: Node[] = [];
  walk(program, (node, parent) => {
    if (
      node.type === "MethodDefinition" || (node.type === "Property" && (node.method ||
        node.kind !== "init"))
    ) {
      methods.add(node.value);
    }
    if (
      (node.type === "FunctionExpression" || node.type === "ArrowFunctionExpression") &&
      parent?.type !== "ParenthesizedExpression"
    ) functions.push(node);
  });
  const edits: { at: number; text: string }[] = [];
  let expressions = 0;
  for (const fn of functions) {
    if (methods.has(fn)) continue;
    edits.push({ at: fn.start, text: "(" }, { at: fn.end, text: ")" });
    expressions++;
  }
  // At one position a closing parenthesis comes before an opening one: `)(`.
  edits.sort((a, b) => a.at - b.at || (a.text === ")" ? -1 : 1));
  /** The source from `from` to `to` with the parentheses that fall in it. */
  const render = (from: number, to: number): string => {
    let out = "";
    let at = from;
    for (const edit of edits) {
      // A ")" at `from` closes what ended before it; one at `to` is this part's.
      if (edit.at < from || edit.at > to || (edit.at === from && edit.text === ")")) continue;
      if (edit.at === to && edit.text === "(") continue;
      out += source.slice(at, edit.at) + edit.text;
      at = edit.at;
    }
    return out + source.slice(at, to);
  };
  const moved: string[] = [];
  let rest = "";
  let at = 0;
  for (const node of program.body) {
    if (node.type !== "FunctionDeclaration") continue;
    rest += render(at, node.start);
    moved.push(`var ${(node.id as { name: string }).name}=(${render(node.start, node.end)});`);
    at = node.end;
  }
  rest += render(at, source.length);
  const shebang = rest.startsWith("#!") ? rest.indexOf("\n") + 1 : 0;
  return {
    code: rest.slice(0, shebang) + moved.join("") + rest.slice(shebang),
    declarations: moved.length,
    expressions,
  };
}

/**
 * A cycle among the chunks' static imports, or `undefined`. Turning a
 * declaration into a variable is safe only without one: a chunk in a cycle
 * can be called before it has run.
 *
 * @param imports Each chunk's name and the chunks it imports statically.
 * @returns The chunks of one cycle, in order.
 */
export function importCycle(imports: Map<string, string[]>): string[] | undefined {
  const state = new Map<string, "open" | "done">();
  const path: string[] = [];
  const visit = (name: string): string[] | undefined => {
    if (state.get(name) === "done") return undefined;
    if (state.get(name) === "open") return [...path.slice(path.indexOf(name)), name];
    state.set(name, "open");
    path.push(name);
    for (const next of imports.get(name) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    path.pop();
    state.set(name, "done");
    return undefined;
  };
  for (const name of imports.keys()) {
    const cycle = visit(name);
    if (cycle) return cycle;
  }
  return undefined;
}

/**
 * The chunks a chunk imports statically (`import … from "./x.js"`, `export …
 * from "./x.js"`, `import "./x.js"`), as file names.
 *
 * @param source A chunk.
 * @returns The relative specifiers it imports, without `./`.
 */
export function staticImports(source: string): string[] {
  const program = parse(source, { ecmaVersion: "latest", sourceType: "module" }) as unknown as {
    body: Node[];
  };
  const out: string[] = [];
  for (const node of program.body) {
    if (
      node.type !== "ImportDeclaration" && node.type !== "ExportNamedDeclaration" &&
      node.type !== "ExportAllDeclaration"
    ) continue;
    const from = (node.source as { value?: unknown } | null)?.value;
    if (typeof from === "string" && from.startsWith("./")) out.push(from.slice(2));
  }
  return out;
}
