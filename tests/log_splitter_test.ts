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

Deno.test("LineSplitter delivers a 10 MB single line cut to its cap as soon as it outgrows it, without buffering it", () => {
  const { lines, splitter } = collect(8192);
  const chunk = new Uint8Array(64 * 1024).fill(0x61);
  let maxPending = 0;
  for (let sent = 0; sent < 10 * 1024 * 1024; sent += chunk.length) {
    splitter.push(chunk);
    maxPending = Math.max(maxPending, splitter.pendingBytes);
  }
  assert.deepEqual(lines, ["a".repeat(8192)]);
  assert.ok(maxPending <= 3 * 8192 + 3, `held ${maxPending} bytes`);
  // Its bytes are no longer pending: a reader may save its position past them.
  assert.equal(splitter.pendingBytes, 0);
  splitter.push(enc.encode("aaa\nnext\n"));
  assert.deepEqual(lines, ["a".repeat(8192), "next"]);
  assert.equal(splitter.cutLines, 1);
});

Deno.test("LineSplitter.skipLine() drops the rest of a line, across chunks, up to its newline", () => {
  const { lines, splitter } = collect();
  splitter.skipLine();
  splitter.push(enc.encode("rest of a "));
  splitter.push(enc.encode("line\nfirst\nsec"));
  splitter.push(enc.encode("ond\n"));
  assert.deepEqual(lines, ["first", "second"]);
  assert.equal(splitter.pendingBytes, 0);
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

Deno.test("LineSplitter hands a big chunk on in line-aligned pieces that decode as the whole would", () => {
  // Multi-byte text, an ASCII stretch, a line far longer than a piece, and
  // bytes that are not UTF-8.
  let text = "";
  for (let i = 0; text.length < 400_000; i++) {
    text += i >= 1000 && i < 11_000
      ? `ascii line ${i}\n`
      : `${i} ${"é€x".repeat(i % 97)} ${i % 13 === 0 ? "\u00ff\ud83d\ude00" : "ascii"}\n`;
    if (i === 500) text += "L".repeat(150_000) + "\n";
  }
  const bytes = enc.encode(text);
  bytes[1000] = 0xff; // not UTF-8
  const blocks: string[] = [];
  let asciiPieces = 0;
  const splitter = new LineSplitter({
    onBlock: (block, raw) => {
      assert.ok(block.endsWith("\n"));
      assert.equal(raw[raw.length - 1], 10);
      if (raw.length === block.length) {
        asciiPieces++;
        for (let i = 0; i < raw.length; i++) assert.equal(block.charCodeAt(i), raw[i]);
      }
      blocks.push(block);
    },
  });
  splitter.push(bytes);
  assert.ok(blocks.length > 5, `${blocks.length} pieces`);
  assert.equal(blocks.join(""), new TextDecoder().decode(bytes));
  assert.ok(blocks.some((b) => b.includes("L".repeat(150_000))));
  assert.ok(asciiPieces >= 1);
});
