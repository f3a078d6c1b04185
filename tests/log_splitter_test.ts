import assert from "node:assert/strict";
import { LineSplitter } from "../lib/log/line_splitter.ts";

function collect(maxLineLength?: number) {
  const lines: string[] = [];
  const splitter = new LineSplitter({
    maxLineLength,
    onBlock: (text) => {
      assert.ok(text.endsWith("\n"));
      lines.push(...text.slice(0, -1).split("\n"));
    },
  });
  return { lines, splitter };
}

const enc = new TextEncoder();

Deno.test("LineSplitter holds a partial last line until its newline arrives", () => {
  const { lines, splitter } = collect();
  splitter.push(enc.encode("one\ntw"));
  assert.deepEqual(lines, ["one"]);
  assert.equal(splitter.pendingBytes, 2);
  splitter.push(enc.encode("o"));
  splitter.push(enc.encode("\nthree\nfo"));
  assert.deepEqual(lines, ["one", "two", "three"]);
  assert.equal(splitter.pendingBytes, 2);
  splitter.flush();
  assert.deepEqual(lines, ["one", "two", "three", "fo"]);
  assert.equal(splitter.pendingBytes, 0);
});

Deno.test("LineSplitter decodes a character split across chunks and bad bytes without throwing", () => {
  const { lines, splitter } = collect();
  const bytes = enc.encode("héllo €\n");
  for (const b of bytes) splitter.push(new Uint8Array([b]));
  splitter.push(new Uint8Array([0x41, 0xff, 0xfe, 0x42, 0x0a, 0xc3, 0x0a]));
  assert.deepEqual(lines, ["héllo €", "A\uFFFD\uFFFDB", "\uFFFD"]);
});

Deno.test("LineSplitter keeps a 10 MB single line to its cap without buffering it", () => {
  const { lines, splitter } = collect(8192);
  const chunk = new Uint8Array(64 * 1024).fill(0x61);
  let maxPending = 0;
  for (let sent = 0; sent < 10 * 1024 * 1024; sent += chunk.length) {
    splitter.push(chunk);
    maxPending = Math.max(maxPending, splitter.pendingBytes);
  }
  assert.deepEqual(lines, []);
  assert.equal(splitter.pendingBytes, 10 * 1024 * 1024);
  splitter.push(enc.encode("\nnext\n"));
  assert.equal(lines.length, 2);
  assert.equal(lines[0], "a".repeat(8192));
  assert.equal(lines[1], "next");
  assert.equal(splitter.cutLines, 1);
});

Deno.test("LineSplitter cuts a long multi-byte line on a character count, not a byte count", () => {
  const { lines, splitter } = collect(16);
  splitter.push(enc.encode("€".repeat(10)));
  splitter.push(enc.encode("€".repeat(10) + "\n"));
  assert.deepEqual(lines, ["€".repeat(16)]);
});

Deno.test("LineSplitter.reset() forgets a partial line after a truncation", () => {
  const { lines, splitter } = collect();
  splitter.push(enc.encode("stale part"));
  splitter.reset();
  splitter.push(enc.encode("fresh\n"));
  assert.deepEqual(lines, ["fresh"]);
});
