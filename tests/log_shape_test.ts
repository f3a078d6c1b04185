import assert from "node:assert/strict";
import { ShapeHasher } from "../lib/log/shape_hasher.ts";
import { signatureOf } from "../lib/log/signature.ts";
import { detectLevel } from "../lib/log/level.ts";

const enc = new TextEncoder();

/** A seeded generator of lines built to hit every rule of the shape. */
function lines(count: number, seed: number): string[] {
  const rand = () => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed / 0x100000000;
  };
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
  const chars = (set: string, n: number) => {
    let s = "";
    for (let i = 0; i < n; i++) s += set[Math.floor(rand() * set.length)];
    return s;
  };
  const hex = "0123456789abcdef", HEX = "0123456789ABCDEF", dig = "0123456789";
  const uuid = () =>
    `${chars(hex, 8)}-${chars(hex, 4)}-${chars(hex, 4)}-${chars(hex, 4)}-${chars(hex, 12)}`;
  // Few choices per slot, so that many lines share a shape and the test bites.
  const values: Array<() => string> = [
    () => chars(dig, 1 + Math.floor(rand() * 3)),
    () => chars(hex, 4),
    () => chars(hex, 8),
    () => chars(HEX, 6),
    () => "0x" + chars(hex, 4),
    () => "0" + pick(["x", "X", "y"]) + chars(dig, 2),
    () => chars(dig, 2) + pick(["ab", "ms", "fe", "dead", "beefs", "ERROR", "WARN"]),
    () => pick(["ab", "fe", "x", "T"]) + chars(dig, 2) + pick(["", "cd", "ERROR"]),
    () => uuid(),
    () => uuid().toUpperCase(),
    () => pick(["bad", "add", "dead", "cafe", "face", "ERROR", "WARN", "error"]),
    () => `${chars(dig, 4)}-${chars(dig, 2)}-${chars(dig, 2)}T${chars(dig, 2)}:00Z`,
    () => `10.${chars(dig, 1)}.${chars(dig, 2)}.1:${chars(dig, 4)}`,
    () => pick(["é", "€", "日本", "\u{1F600}"]) + chars(hex, 3),
  ];
  const seps = [" ", " ", " ", "=", "-", "(", ")", "/", ".", ",", ":", "'", '"', "`", "\\", "@"];
  const templates: string[][] = [];
  for (let t = 0; t < 40; t++) {
    const parts: string[] = [];
    const n = 2 + Math.floor(rand() * 8);
    for (let i = 0; i < n; i++) parts.push(pick(seps), String(Math.floor(rand() * values.length)));
    templates.push(parts);
  }
  const json = () => {
    const key = pick(["msg", "k1", "k2", "id", "a1b2c3d4", uuid(), "x" + chars(dig, 1)]);
    const value = pick(values)();
    return `{"level":"${pick(["error", "warn"])}","${key}":"${value}","n":${chars(dig, 2)}}`;
  };
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    if (rand() < 0.15) {
      out.push(json());
      continue;
    }
    let line = pick(["ERROR ", "WARN ", "", "level=error "]);
    for (const part of pick(templates)) line += /^\d+$/.test(part) ? values[+part]() : part;
    out.push(line);
  }
  return out;
}

Deno.test("ShapeHasher gives equal shapes only to lines with equal signatures and levels", () => {
  const hasher = new ShapeHasher();
  const groups = new Map<string, { line: string; signature: string; level: string }>();
  let shared = 0;
  for (const line of lines(60_000, 0x5eed)) {
    const key = `${hasher.hashText(line, 0, line.length)}:${hasher.check}:${line.length}`;
    const signature = signatureOf(line), level = detectLevel(line);
    const first = groups.get(key);
    if (!first) {
      groups.set(key, { line, signature, level });
      continue;
    }
    shared++;
    assert.equal(
      signature,
      first.signature,
      `${JSON.stringify(line)} vs ${JSON.stringify(first.line)}`,
    );
    assert.equal(level, first.level, `${JSON.stringify(line)} vs ${JSON.stringify(first.line)}`);
  }
  // The test only means something if lines do share shapes.
  assert.ok(shared > 10_000, `only ${shared} lines shared a shape`);
});

Deno.test("ShapeHasher reads the same shape from an ASCII block's bytes as from its text", () => {
  const hasher = new ShapeHasher();
  const ascii = lines(5_000, 7).filter((l) => /^[ -~]*$/.test(l));
  const block = ascii.join("\n") + "\n";
  const bytes = enc.encode(block);
  assert.equal(bytes.length, block.length);
  let start = 0;
  for (const line of ascii) {
    const end = start + line.length;
    const fromBytes = hasher.hash(bytes, start, end), check = hasher.check;
    assert.equal(hasher.hashText(block, start, end), fromBytes, line);
    assert.equal(hasher.check, check, line);
    start = end + 1;
  }
});

Deno.test("ShapeHasher folds the values a signature drops and keeps what it keeps", () => {
  const hasher = new ShapeHasher();
  const key = (line: string) => `${hasher.hashText(line, 0, line.length)}:${hasher.check}`;
  const same = (a: string, b: string) => assert.equal(key(a), key(b), `${a} / ${b}`);
  const differ = (a: string, b: string) => assert.notEqual(key(a), key(b), `${a} / ${b}`);
  same("ERROR order 10 failed", "ERROR order 97 failed");
  same(
    "ERROR req=550e8400-e29b-41d4-a716-446655440000.",
    "ERROR req=ABCDEF00-0000-1111-AAAA-bbbbbbbbbbbb.",
  );
  same("ERROR session 5f3a9b2c1d", "ERROR session 0a1b2c3d4e");
  same('{"trace":"9f86d081884c7d65"}', '{"trace":"1b2c3d4e5f607182"}');
  // The same with the value in the last few bytes, after the last full group of 8.
  same("ERROR session idx ab3", "ERROR session idx cd7");
  same("ERROR session id 5f3a", "ERROR session id 7b2c");
  same("ERROR session i abcde1", "ERROR session i fedcb9");
  differ("ERROR took 12ab", "ERROR took 12cd"); // a number with a unit keeps its unit
  differ("ERROR at 0x1f", "ERROR at 1x1f"); // 0x makes it hex
  differ('{"k1":1}', '{"k2":1}'); // JSON keys are kept verbatim
  differ(
    '{"deadbeef-0000-1111-2222-333333333333":1}',
    '{"feedface-0000-1111-2222-333333333333":1}',
  ); // even a UUID whose first part has no digit
  same(
    '{"k":"deadbeef-0000-1111-2222-333333333333"}',
    '{"k":"feedface-0000-1111-2222-333333333333"}',
  );
  differ(
    "ERROR x/550e8400-e29b-41d4-a716-446655440000",
    "ERROR x/650e8400-e29b-41d4-a716-44665544000a",
  );
  differ("ERROR deadbeef", "ERROR feedface"); // no digit: a word
  differ("5ERROR x", "5DRROR x");
  assert.equal(signatureOf("ERROR took 12ab"), "ERROR took <num>ab");
});

Deno.test("ShapeHasher reads a line's bytes alike wherever they sit in their buffer", () => {
  const hasher = new ShapeHasher();
  const samples = [
    ...lines(400, 11).filter((l) => /^[ -~]*$/.test(l)),
    "",
    "a",
    "ab1",
    "abc1",
    "x0x1f",
    "ERROR 0xdeadbeef at 5f3a9b2c",
    'ERROR {"k1":"9f86d081884c7d65"}',
    "ERROR req=550e8400-e29b-41d4-a716-446655440000",
    "ERROR req=550e8400-e29b-41d4-a716-446655440000 and 0a1b2c3d4e5f",
  ];
  const key = () => `${hasher.check}`;
  for (const line of samples) {
    const want = `${hasher.hashText(line, 0, line.length)}:${hasher.check}`;
    const units = Uint16Array.from(line, (c) => c.charCodeAt(0));
    assert.equal(`${hasher.hash(units, 0, units.length)}:${key()}`, want, line);
    // A buffer that ends with the line, and one that goes on with bytes that
    // would flag pairs (digits, hex letters, quotes, colons) past its view.
    assert.equal(`${hasher.hash(enc.encode(line), 0, line.length)}:${key()}`, want, line);
    const noisy = new Uint8Array(line.length + 16).fill(0x3a);
    noisy.set(enc.encode(line));
    noisy.set(enc.encode('"5a0x'), line.length);
    const bounded = noisy.subarray(0, line.length);
    assert.equal(`${hasher.hash(bounded, 0, line.length)}:${key()}`, want, line);
    for (let pad = 0; pad < 8; pad++) {
      // The line at an odd place in a bigger buffer, seen whole or through a subarray.
      const buffer = new Uint8Array(pad + line.length + 9).fill(0x61);
      buffer.set(enc.encode(line), pad);
      buffer[pad + line.length] = 10;
      const view = buffer.subarray(pad, pad + line.length + 1);
      assert.equal(`${hasher.hash(buffer, pad, pad + line.length)}:${key()}`, want, line);
      assert.equal(`${hasher.hash(view, 0, line.length)}:${key()}`, want, line);
      // Cut where the line goes on: the next units count.
      const cut = Math.max(0, line.length - 3);
      const cutKey = `${hasher.hashText(line + "\n", 0, cut)}:${hasher.check}`;
      assert.equal(`${hasher.hash(view, 0, cut)}:${key()}`, cutKey, line);
    }
  }
});
