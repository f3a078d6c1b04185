import assert from "node:assert/strict";
import { isSensitiveQueryName, maskQuerySecrets, redactUrl } from "../lib/redact.ts";

Deno.test("query names for passwords, PINs, one-time codes and keys without a separator are credentials", () => {
  const names = [
    "pass",
    "pw",
    "user_pw",
    "passphrase",
    "privatekey",
    "accesskey",
    "otp",
    "totp",
    "pin",
    "user-pin",
    "sid",
    "connect.sid",
    "bearer",
    "hmac",
    "apiKey",
  ];
  for (const name of names) assert.ok(isSensitiveQueryName(name), name);
  for (const name of ["page", "author", "keyword", "pinned", "spinner", "footprint", "side"]) {
    assert.ok(!isSensitiveQueryName(name), name);
  }
  assert.equal(
    redactUrl("http://h/echo?pass=hunter2xyz&pw=pw99&privatekey=pk66&pin=1234&otp=9&page=2"),
    "http://h/echo?pass=***&pw=***&privatekey=***&pin=***&otp=***&page=2",
  );
  assert.equal(maskQuerySecrets('{"q":"?accesskey=ak2222&x=1"}'), '{"q":"?accesskey=***&x=1"}');
});
