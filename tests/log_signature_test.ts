import assert from "node:assert/strict";
import { signatureOf } from "../lib/log/signature.ts";
import { detectLevel } from "../lib/log/level.ts";
import { compilePattern } from "../lib/log/pattern.ts";
import { LineScanner } from "../lib/log/line_scanner.ts";

Deno.test("signatureOf() clusters the same error with different values into one signature", () => {
  const lines = [
    "2026-05-19T22:30:00.123Z ERROR [worker-3] Failed to process order 4412: connection refused to 10.0.3.4:5432 after 12ms",
    "2026-05-20T01:02:03.999Z ERROR [worker-7] Failed to process order 98: connection refused to 192.168.100.254:5432 after 3000ms",
    "2026-05-21 08:15:00,001 ERROR [worker-12] Failed to process order 1: connection refused to 10.1.1.1:6543 after 1ms",
  ];
  const signatures = new Set(lines.map(signatureOf));
  assert.deepEqual([...signatures], [
    "<ts> ERROR [worker-<num>] Failed to process order <num>: connection refused to <ip> after <num>ms",
  ]);
});

Deno.test("signatureOf() reads 8 or more digits as a number, and only tokens with a-f letters as hex", () => {
  const pairs: Array<[string, string, string]> = [
    ["ERROR user 9999999 x", "ERROR user 10000000 x", "ERROR user <num> x"],
    ["ERROR count 5 x", "ERROR count 50000000 x", "ERROR count <num> x"],
    ["ERROR at 1764828901.123 x", "ERROR at 1764828901 x", "ERROR at <num> x"],
  ];
  for (const [a, b, expected] of pairs) {
    assert.equal(signatureOf(a), expected, a);
    assert.equal(signatureOf(b), expected, b);
  }
  assert.equal(signatureOf("ERROR commit 1234abcd x"), "ERROR commit <hex> x");
  assert.equal(signatureOf("ERROR commit 12345678ab x"), "ERROR commit <hex> x");
});

Deno.test("signatureOf() replaces UUIDs, hex, ids, quoted strings, paths, emails and URLs", () => {
  const cases: Array<[string, string]> = [
    [
      'WARN user "bob" not found in /var/lib/app/users.db (req 550e8400-e29b-41d4-a716-446655440000)',
      "WARN user <str> not found in <path> (req <uuid>)",
    ],
    [
      "ERROR panic at 0x7ffde4a1 in handler, session=5f3a9b2c1d token=k3j4x9",
      "ERROR panic at <hex> in handler, session=<hex> token=<id>",
    ],
    [
      "ERROR mail to john.doe@example.com failed; see https://status.example.com/x?id=42",
      "ERROR mail to <email> failed; see <url>",
    ],
    [
      "May 19 22:30:01 host sshd[1234]: Failed password for root from 192.168.1.7 port 22",
      "May <num> <ts> host sshd[<num>]: Failed password for root from <ip> port <num>",
    ],
    ["ERROR it's broken: 'thing' failed", "ERROR it's broken: <str> failed"],
  ];
  for (const [line, expected] of cases) assert.equal(signatureOf(line), expected, line);
});

Deno.test("signatureOf() keeps JSON keys and the text of message fields", () => {
  assert.equal(
    signatureOf('{"level":"error","msg":"connection refused to 10.0.0.1:80","id":123}'),
    '{"level":<str>,"msg":"connection refused to <ip>","id":<num>}',
  );
  assert.equal(
    signatureOf('level=error msg="disk /dev/sda1 at 97% full" host=web-12'),
    'level=error msg="disk <path> at <num>% full" host=web-<num>',
  );
});

Deno.test("signatureOf() keeps different errors apart and collapses whitespace", () => {
  assert.notEqual(
    signatureOf("ERROR connection refused to 10.0.0.1"),
    signatureOf("ERROR connection reset by 10.0.0.1"),
  );
  assert.equal(signatureOf("  ERROR   a\t\tb  "), "ERROR a b");
  assert.ok(signatureOf("ERROR " + "x ".repeat(10_000)).length <= 400);
});

Deno.test("detectLevel() finds upper-case level words and level values in any case", () => {
  assert.equal(detectLevel("2026-05-19 12:00:01 WARNING disk 91% full"), "WARN");
  assert.equal(detectLevel("12:00 [main] ERROR boom"), "ERROR");
  assert.equal(detectLevel('{"level":"error","msg":"boom"}'), "ERROR");
  assert.equal(detectLevel("level=debug msg=x"), "DEBUG");
  assert.equal(detectLevel("CRITICAL: out of memory"), "FATAL");
  assert.equal(detectLevel("a connection error happened"), "OTHER");
});

Deno.test("compilePattern() names the pattern when it is not a valid regex", () => {
  assert.throws(() => compilePattern("ERROR|("), (error) => {
    assert.ok(error instanceof TypeError);
    assert.match(error.message, /^Cannot compile pattern 'ERROR\|\(': /);
    return true;
  });
  assert.throws(() => compilePattern(""), TypeError);
});

Deno.test("compilePattern() scans literal, regex and lookaround patterns to the same lines", () => {
  const block = "a INFO ok\nb ERROR x\r\nc WARN y\nd ERRORS\nERROR\n\nWARN at end\n";
  const run = (pattern: string, ignoreCase = false) => {
    const found: string[] = [];
    const compiled = compilePattern(pattern, { ignoreCase });
    const scanner = new LineScanner({
      pattern: compiled,
      onMatch: (text, start, end) => found.push(text.slice(start, end)),
    });
    scanner.scanBlock(block);
    assert.equal(scanner.lines, 7);
    return { mode: compiled.mode, found };
  };
  const expected = ["b ERROR x", "c WARN y", "d ERRORS", "ERROR", "WARN at end"];
  assert.deepEqual(run("ERROR|WARN"), { mode: "literal", found: expected });
  assert.deepEqual(run("(ERROR|WARN)"), { mode: "regex", found: expected });
  assert.deepEqual(run("error|warn", true).found, expected);
  assert.deepEqual(run("(?<![a-z] )(ERROR|WARN)").mode, "per-line");
  assert.deepEqual(run("^ERROR$").found, ["ERROR"]);
  assert.deepEqual(run("ERROR(?!S)").found, ["b ERROR x", "ERROR"]);
  assert.deepEqual(run("x$").found, ["b ERROR x"]);
});

Deno.test("LineScanner matches a long line on its first maxLineLength characters only", () => {
  const found: string[] = [];
  const scanner = new LineScanner({
    pattern: compilePattern("ERROR"),
    maxLineLength: 32,
    onMatch: (text, start, end) => found.push(text.slice(start, end)),
  });
  scanner.scanBlock(`${"x".repeat(40)} ERROR\nERROR ${"y".repeat(40)}\n`);
  assert.deepEqual(found, [`ERROR ${"y".repeat(26)}`]);
  assert.equal(scanner.cut, 1);
});
