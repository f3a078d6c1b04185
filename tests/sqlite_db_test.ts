/** openSqliteDatabase: the folders it creates, and the durability settings it applies. */
import assert from "node:assert/strict";
import { openSqliteDatabase } from "../lib/runtime/_sqlite_db.ts";

Deno.test("openSqliteDatabase creates the missing folders above the file, and opens in WAL mode", async () => {
  const dir = await Deno.makeTempDir({ prefix: "sqlite-db-" });
  try {
    const path = `${dir}/a/b/c/scout.db`;
    const db = openSqliteDatabase(path, "FULL");
    try {
      const mode = db.prepare("PRAGMA journal_mode").get() as { journal_mode: string };
      assert.equal(mode.journal_mode, "wal");
      const sync = db.prepare("PRAGMA synchronous").get() as { synchronous: number };
      assert.equal(sync.synchronous, 2); // FULL
    } finally {
      db.close();
    }
    assert.ok(Deno.statSync(path).isFile);
    // An existing folder is fine, and a second open sees the same file.
    const again = openSqliteDatabase(path);
    again.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("openSqliteDatabase opens a bare file name in the working folder", async () => {
  const dir = await Deno.makeTempDir({ prefix: "sqlite-db-cwd-" });
  try {
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "eval",
        `import { openSqliteDatabase } from ${
          JSON.stringify(new URL("../lib/runtime/_sqlite_db.ts", import.meta.url).href)
        }; openSqliteDatabase("bare.db").close();`,
      ],
      cwd: dir,
      stdout: "null",
      stderr: "piped",
    }).output();
    assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
    assert.ok(Deno.statSync(`${dir}/bare.db`).isFile);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
