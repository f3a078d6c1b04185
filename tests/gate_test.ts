import assert from "node:assert/strict";
import { checkGate, contentHash, quoteObserved } from "../mod.ts";

const ok = {
  domain: "gc/research/scout-reports/keeper-request",
  question: "[PERIODIC] 3 agents",
  answer: "a perfectly ordinary answer",
  confidence: 0.5,
};

Deno.test("checkGate passes a tile that meets every P0 rule", () => {
  assert.deepEqual(checkGate(ok), []);
});

Deno.test("checkGate refuses missing or empty domain, question and answer", () => {
  assert.deepEqual(checkGate({ ...ok, domain: "" }), ["Missing required field: domain"]);
  assert.deepEqual(checkGate({ question: "hello", answer: ok.answer }), [
    "Missing required field: domain",
  ]);
  assert.deepEqual(checkGate({ ...ok, question: undefined, answer: "" }), [
    "Missing required field: question",
    "Missing required field: answer",
  ]);
});

Deno.test("checkGate enforces the answer length bounds 20..5000", () => {
  assert.deepEqual(checkGate({ ...ok, answer: "x".repeat(19) }), ["Answer too short (19 < 20)"]);
  assert.deepEqual(checkGate({ ...ok, answer: "x".repeat(20) }), []);
  assert.deepEqual(checkGate({ ...ok, answer: "x".repeat(5000) }), []);
  assert.deepEqual(checkGate({ ...ok, answer: "x".repeat(5001) }), [
    "Answer too long (5001 > 5000)",
  ]);
});

Deno.test("checkGate counts lengths in code points as the fleet's Python does, an emoji one character", () => {
  const emoji = "\u{1F600}"; // two UTF-16 units, one code point
  assert.deepEqual(checkGate({ ...ok, answer: "x".repeat(4999) + emoji }), []);
  assert.deepEqual(checkGate({ ...ok, answer: "x".repeat(5000) + emoji }), [
    "Answer too long (5001 > 5000)",
  ]);
  assert.deepEqual(checkGate({ ...ok, answer: emoji.repeat(19) }), ["Answer too short (19 < 20)"]);
  assert.deepEqual(checkGate({ ...ok, answer: emoji.repeat(20) }), []);
  assert.deepEqual(checkGate({ ...ok, question: emoji.repeat(4) }), [
    "Question too short (4 < 5)",
  ]);
  assert.deepEqual(checkGate({ ...ok, question: emoji.repeat(5) }), []);
  // A lone surrogate is one code point to Python too.
  assert.deepEqual(checkGate({ ...ok, question: "\ud800".repeat(5) }), []);
});

Deno.test("checkGate measures an object answer by key count as the fleet server does", () => {
  assert.deepEqual(checkGate({ ...ok, answer: { a: 1, b: 2 } }), ["Answer too short (2 < 20)"]);
});

Deno.test("checkGate refuses a question under 5 characters", () => {
  assert.deepEqual(checkGate({ ...ok, question: "[P]" }), ["Question too short (3 < 5)"]);
  assert.deepEqual(checkGate({ ...ok, question: "12345" }), []);
});

Deno.test("checkGate refuses absolute words only as whole words, case-insensitively", () => {
  for (const w of ["always", "NEVER", "Guaranteed", "impossible", "proven", "everyone", "nobody"]) {
    assert.deepEqual(checkGate({ ...ok, answer: `connection ${w} established ok` }), [
      `Answer contains absolute claim '${w.toLowerCase()}'`,
    ]);
  }
  assert.deepEqual(checkGate({ ...ok, answer: "nevertheless unproven everyones" }), []);
});

Deno.test("checkGate enforces confidence 0..1 with 0.5 as the default", () => {
  assert.deepEqual(checkGate({ ...ok, confidence: undefined }), []);
  assert.deepEqual(checkGate({ ...ok, confidence: 0 }), []);
  assert.deepEqual(checkGate({ ...ok, confidence: 1 }), []);
  assert.deepEqual(checkGate({ ...ok, confidence: 1.01 }), [
    "Confidence out of range (1.01 not in 0.0-1.0)",
  ]);
  assert.deepEqual(checkGate({ ...ok, confidence: -0.1 }), [
    "Confidence out of range (-0.1 not in 0.0-1.0)",
  ]);
  assert.equal(checkGate({ ...ok, confidence: "high" }).length, 1);
  // A number sent as a string says so, rather than "0.5 not in 0.0-1.0".
  assert.deepEqual(checkGate({ ...ok, confidence: "0.5" }), [
    'Confidence out of range (string "0.5" is not a number in 0.0-1.0)',
  ]);
  assert.deepEqual(checkGate({ ...ok, confidence: [] }), [
    "Confidence out of range (object [] is not a number in 0.0-1.0)",
  ]);
});

Deno.test("contentHash is the first 16 hex characters of sha256(question + answer)", async () => {
  // sha256("ab") = fb8e20fc2e4c3f248c60c39bd652f3c1347298bb977b8b4d5903b85055620603
  assert.equal(await contentHash("a", "b"), "fb8e20fc2e4c3f24");
});

Deno.test("quoteObserved keeps observed text readable and lets it pass the absolute-word rule", () => {
  const line = "ERROR connection NEVER established; retries always fail";
  const quoted = quoteObserved(line);
  assert.deepEqual(checkGate({ ...ok, answer: quoted }), []);
  assert.equal(quoted.replaceAll("\u200D", ""), line);
});

Deno.test("quoteObserved keeps a URL the same URL: the word's letter is percent-encoded, not joined", () => {
  const url = "http://never.example/status/Never?tier=always-on&x=nobody#proven";
  const text = JSON.stringify({ url, error: `GET ${url} failed: never answered` });
  const quoted = quoteObserved(text);
  assert.deepEqual(checkGate({ ...ok, answer: quoted }), []);
  const shown = JSON.parse(quoted) as { url: string; error: string };
  assert.ok(!shown.url.includes("\u200D"), shown.url);
  assert.equal(
    shown.url,
    "http://%6Eever.example/status/%4Eever?tier=%61lways-on&x=%6Eobody#%70roven",
  );
  // The same resource: WHATWG URL parsing decodes the host, and an
  // unreserved letter's percent-encoding is that letter (RFC 3986 6.2.2.2).
  const a = new URL(shown.url), b = new URL(url);
  assert.equal(a.hostname, b.hostname);
  assert.equal(decodeURIComponent(a.pathname), b.pathname);
  assert.equal(decodeURIComponent(a.search), b.search);
  // Text outside the URL is still quoted with a joiner, and reads the same.
  assert.match(shown.error, /failed: n\u200Dever answered$/);
  assert.ok(shown.error.startsWith(`GET ${shown.url} `));
});
