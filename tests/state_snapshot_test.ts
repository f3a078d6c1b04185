import assert from "node:assert/strict";
import { readStateSnapshot, SnapshotCopyError, SqliteState } from "../lib/runtime/sqlite_state.ts";

const listing = (dir: string) => [...Deno.readDirSync(dir)].map((e) => e.name).sort();

Deno.test("a dry run's state snapshot reads the live file and an older layout's, and creates no file", async () => {
  const dir = await Deno.makeTempDir({ prefix: "state_snapshot_" });
  try {
    const old = SqliteState.open(`${dir}/state.db`);
    old.set("a", "from state.db");
    old.set("b", "only in state.db");
    old.close();
    // A running scout: its last writes are still in the write-ahead log.
    const live = SqliteState.open(`${dir}/scout.db`);
    live.set("a", "from scout.db");
    live.set("c", "written just now");
    const before = listing(dir);
    const snapshot = readStateSnapshot([`${dir}/scout.db`, `${dir}/state.db`]);
    assert.equal(snapshot.get("a"), "from scout.db");
    assert.equal(snapshot.get("b"), "only in state.db");
    assert.equal(snapshot.get("c"), "written just now");
    live.close();
    // Closed: no -wal or -shm left behind by the dry run either.
    const closed = listing(dir);
    readStateSnapshot([`${dir}/scout.db`, `${dir}/state.db`]);
    assert.deepEqual(listing(dir), closed);
    assert.deepEqual(
      before.filter((f) => !closed.includes(f)).every((f) => /-(wal|shm)$/.test(f)),
      true,
    );
    // Nothing there: an empty state, and nothing made.
    assert.equal(readStateSnapshot([`${dir}/none/scout.db`]).get("a"), undefined);
    assert.deepEqual(listing(dir), closed);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a dry run's snapshot needs no temporary folder when there is no state, and names it when it has none", async () => {
  const dir = await Deno.makeTempDir({ prefix: "state_snapshot_" });
  const saved = Deno.env.get("TMPDIR");
  try {
    Deno.env.set("TMPDIR", `${dir}/no-such-tmp`);
    assert.equal(readStateSnapshot([`${dir}/scout.db`]).get("a"), undefined);
    const state = SqliteState.open(`${dir}/scout.db`);
    state.set("a", "1");
    state.close();
    assert.throws(() => readStateSnapshot([`${dir}/scout.db`]), SnapshotCopyError);
  } finally {
    if (saved === undefined) Deno.env.delete("TMPDIR");
    else Deno.env.set("TMPDIR", saved);
    await Deno.remove(dir, { recursive: true });
  }
});
