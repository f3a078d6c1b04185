import assert from "node:assert/strict";
import { nestedRepeat, overlappingAlternation, slowPattern } from "../lib/regex_risk.ts";
import { runCli } from "./_support/cli.ts";

Deno.test("nestedRepeat finds a repeat of a group that can end with a repeat, and passes common patterns", () => {
  for (
    const p of [
      "(A+)+B",
      "(a*)*",
      "(\\w+\\s?)*$",
      "(a{2,})+",
      "(?:x|y+)+z", // one branch ends with a repeat
      "((a+))+", // through an inner group
      "(a+b?)+c", // only optional after the inner repeat
      // A required token the inner repeat can match: the two share text.
      "^(([a-z])+.)+[A-Z]([a-z])+$", // OWASP's ReDoS example
      "(\\w+\\d)+$",
      "(.+.)+$",
      "(.*a){1,}",
      "(.+\\.)+$", // '.' matches the dot too
    ]
  ) {
    assert.equal(nestedRepeat(p), true, p);
  }
  for (
    const p of [
      "ERROR|WARN",
      "(\\d+\\.){3}\\d+", // bounded outer repeat
      "(\\d+\\.)+\\d+", // '.' ends each inner repeat
      "([a-z0-9-]+\\.)+[a-z]{2,}",
      "([^,]+,)+",
      "(\\d+,)*\\d+",
      "(\\w+-)+x",
      "(ab)+c", // the group holds no repeat
      "\\(a+\\)+", // escaped parentheses: no group
      "[(a+)]+", // a character class
      "status: (ok|degraded)",
      "a{3}b+",
      "x{", // a literal brace
      "(a+)?b", // ? is no repeat
    ]
  ) {
    assert.equal(nestedRepeat(p), false, p);
    new RegExp(p); // each is a valid regex
  }
  // Odd sources do not throw.
  for (const p of ["(", ")", "\\", "[", "{", "(a+){", "a)+", "|+"]) nestedRepeat(p);
});

Deno.test("overlappingAlternation finds a repeat of alternatives that can match the same text, and passes ordinary alternations", () => {
  for (
    const p of [
      "(a|a)*$",
      "(a|aa)+b",
      "(\\w|\\d)+$",
      "(.|\\s)*x", // a space is both
      "(\\r?\\n|\\r)+$", // '\r\n' is one repeat or two
      "(?:a|ab|b)+c",
      "((a|aa))+", // through an inner group
      "(a?a)+b", // one branch, two lengths
      "(x|X)+", // either case: the pattern may have the i flag
      "([a-z]|[0-9a-f])+$",
      "(ab|a|ba)+$",
      "(?<n>a|aa)+",
      "(a|aa){2,}",
      "/(a|aa)+$/i", // a body_matches literal
    ]
  ) {
    assert.equal(overlappingAlternation(p), true, p);
    assert.equal(slowPattern(p), "overlap", p);
  }
  for (
    const p of [
      "(GET|POST) /api", // not repeated
      "(ok|degraded)+",
      "(.|\\n)*", // '.' does not match a newline
      "(abc|abd)+", // a shared start only
      "(\\d|,)+",
      "(\\w|-)+",
      "(a|ab)+c", // one split only
      "(foo|bar)*",
      "((a|aa)b)+", // the 'b' ends each repeat
      "(a|aa)?b",
      "(a|aa){1,3}", // bounded
      "(https?|ftp)://",
      "(\\d{1,3}\\.){3}",
      "(?=a|aa)+", // lookarounds and back-references are not judged
      "(\\1|a)+",
    ]
  ) {
    assert.equal(overlappingAlternation(p), false, p);
    new RegExp(p);
  }
  assert.equal(slowPattern("(a+)+b"), "nested");
  for (const p of ["(", ")", "\\", "[", "(|)+", "([)+", "(\\", "(a|\\u{)+", "([a-\\d])+"]) {
    overlappingAlternation(p);
  }
});

Deno.test("a run whose pattern or body_matches nests a repeat warns at startup, naming the scout and field", async () => {
  const dir = await Deno.makeTempDir({ prefix: "plato-regex-risk-" });
  try {
    const log = `${dir}/app.log`;
    await Deno.writeTextFile(log, "");
    const config = `${dir}/scout.yaml`;
    await Deno.writeTextFile(
      config,
      [
        "scouts:",
        "  - scout: {name: api, scout_room: r/api}",
        `    watch: {type: http, url: "http://127.0.0.1:9/", body_matches: "(A+)+B"}`,
        "  - scout: {name: app, scout_room: r/app}",
        `    watch: {type: log, file: "${log}", pattern: "(\\\\w+\\\\s?)*$"}`,
        "  - scout: {name: fine, scout_room: r/fine}",
        `    watch: {type: http, url: "http://127.0.0.1:9/", body_matches: "ok|up"}`,
        "  - scout: {name: alt, scout_room: r/alt}",
        `    watch: {type: http, url: "http://127.0.0.1:9/", body_matches: "(a|aa)+b"}`,
      ].join("\n"),
    );
    const r = await runCli(["--config", config, "--once", "--stdout"]);
    assert.equal(r.code, 0, r.stderr);
    const warnings = r.stderr.split("\n").filter((l) => l.includes("repeats a group"));
    assert.equal(warnings.length, 3, r.stderr);
    assert.match(
      warnings[0],
      /WARN .*api: body_matches '\(A\+\)\+B' repeats a group that itself repeats/,
    );
    assert.match(warnings[1], /WARN .*app: pattern '\(\\w\+\\s\?\)\*\$' repeats/);
    assert.match(
      warnings[2],
      /WARN .*alt: body_matches '\(a\|aa\)\+b' repeats a group whose alternatives can match the same text/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
