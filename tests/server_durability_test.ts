import assert from "node:assert/strict";
import { createPlatoClient } from "../lib/client.ts";
import { makeTile } from "./_support/plato_server.ts";

const ROOM = "gc/research/scout-reports/server-test";
const CLI = new URL("../cli.ts", import.meta.url).pathname;

interface ServeProcess {
  url: string;
  child: Deno.ChildProcess;
  output: () => Promise<string>;
}

/** Run `plato-scout serve --port 0` as a real process and wait for the line with its URL. */
async function spawnServe(dbPath: string): Promise<ServeProcess> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", CLI, "serve", "--port", "0", "--db", dbPath],
    stdout: "piped",
    stderr: "inherit",
    env: { PLATO_API_KEY: "" },
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  let match: RegExpExecArray | null = null;
  while (!(match = /listening on (http:\/\/127\.0\.0\.1:(\d+))/.exec(text))) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`serve exited before listening: ${text}`);
    text += value;
  }
  const output = async () => {
    while (true) {
      const { value, done } = await reader.read();
      if (done) return text;
      text += value;
    }
  };
  return { url: match[1], child, output };
}

Deno.test("every tile acknowledged before a kill -9 of 'plato-scout serve' is there after restart", async () => {
  const dir = await Deno.makeTempDir();
  const dbPath = `${dir}/rooms.db`;
  try {
    const first = await spawnServe(dbPath);
    const acknowledged: string[] = [];
    try {
      const client = createPlatoClient({ url: first.url });
      for (let b = 0; b < 10; b++) {
        const batch = Array.from({ length: 30 }, (_, i) => makeTile(`${b}-${i}`));
        const outcomes = await client.submitBatch(batch);
        batch.forEach((t, i) => outcomes[i].kind === "accepted" && acknowledged.push(t.id));
        const single = makeTile(`single-${b}`);
        if ((await client.submit(single)).kind === "accepted") acknowledged.push(single.id);
      }
    } finally {
      first.child.kill("SIGKILL");
      const status = await first.child.status;
      await first.output();
      assert.equal(status.signal, "SIGKILL");
    }
    assert.equal(acknowledged.length, 310);

    const second = await spawnServe(dbPath);
    try {
      const client = createPlatoClient({ url: second.url });
      const stored: unknown[] = [];
      let after = "0";
      while (true) {
        const page = await fetch(`${second.url}/room/${ROOM}?after=${after}&limit=1000`);
        const body = await page.json();
        stored.push(...body.tiles.map((t: { id: string }) => t.id));
        if (!body.has_more) break;
        after = body.cursor;
      }
      assert.deepEqual(stored, acknowledged);
      const again = await client.submit(makeTile("0-0"));
      assert.equal(again.kind, "accepted", "ids stay idempotent across restarts");
      const rooms = await client.listRooms();
      assert.ok(rooms.ok);
      assert.equal(rooms.value[ROOM].tile_count, 310);
    } finally {
      second.child.kill("SIGTERM");
      const status = await second.child.status;
      const out = await second.output();
      assert.equal(status.code, 0, "SIGTERM is a clean stop");
      assert.match(out, /stopped on SIGTERM/);
      assert.match(out, new RegExp(`tiles stored in ${dbPath.replaceAll("/", "\\/")}`));
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
