// Child process of the kill -9 test: appends tiles to a SqliteOutbox across a
// few tasks, records a state value, prints "ready" once the appending tasks
// have ended (the outbox's durability window), then idles until killed. It
// never calls sync() or close().
import { buildTile } from "../../lib/tile.ts";
import { SqliteOutbox } from "../../lib/runtime/sqlite_outbox.ts";
import { SqliteState } from "../../lib/runtime/sqlite_state.ts";

const [path, countArg] = Deno.args;
const count = Number(countArg);
const outbox = SqliteOutbox.open(path, { maxEntries: count });
const state = SqliteState.open(path);
const chunk = Math.ceil(count / 4);

function appendFrom(start: number): void {
  const end = Math.min(start + chunk, count);
  for (let i = start; i < end; i++) {
    outbox.append(buildTile({
      scoutName: "child",
      room: "tests/kill",
      checkpointType: "periodic",
      question: `observation ${i}`,
      answer: { i },
      id: `t${i}`,
    }));
  }
  if (end < count) setTimeout(() => appendFrom(end), 0);
  else {
    state.set("appended", String(count));
    setTimeout(() => console.log("ready"), 0);
  }
}

appendFrom(0);
setInterval(() => {}, 60_000); // Stay alive until the parent kills us.
