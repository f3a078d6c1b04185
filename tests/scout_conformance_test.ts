/**
 * Every built-in scout kind through the shared conformance suite
 * (`tests/scout_conformance.ts`; its header shows how to add a fixture).
 */
import { denoDirReader } from "../lib/runtime/deno_dir_reader.ts";
import { holodeckScout } from "../scouts/holodeck.ts";
import { keeperScout } from "../scouts/keeper.ts";
import { agent, FakeKeeper } from "./_support/fake_keeper.ts";
import { scoutConformance } from "./scout_conformance.ts";

scoutConformance("keeper", ({ options, state }) => {
  const keeper = new FakeKeeper().start();
  keeper.agents = [agent(1, "active", "oracle1"), agent(2, "idle"), agent(3, "offline")];
  const watch = keeperScout.watch.parse({ type: "keeper", url: keeper.url });
  return {
    scout: keeperScout.create(options, watch, { state }),
    watched: [keeper.url],
    fail: () => keeper.stop(),
    garble: () => {
      keeper.mode = "html";
    },
    dispose: () => keeper.stop(),
  };
});

scoutConformance("holodeck", async ({ options, state }) => {
  const root = await Deno.makeTempDir({ prefix: "holodeck_conformance_" });
  const sessions = `${root}/sessions`;
  const write = async (folder: string, adventure: string) => {
    await Deno.mkdir(`${sessions}/${folder}`, { recursive: true });
    await Deno.writeTextFile(`${sessions}/${folder}/adventure.json`, adventure);
  };
  const adventure = (name: string, active: boolean) =>
    JSON.stringify({
      name,
      creator: "oracle1",
      objective: "Map the harbour",
      rooms: ["Dock", "Market"],
      transcript: [{ timestamp: "2026-11-24T10:00:00Z", speaker: "oracle1", room: "Dock" }],
      started: "2026-11-24T10:00:00Z",
      active,
    });
  await write("harbour_20261124T100000Z", adventure("Harbour", true));
  await write("market_20261124T090000Z", adventure("Market", false));
  const watch = holodeckScout.watch.parse({ type: "holodeck", sessions_dir: sessions });
  return {
    scout: holodeckScout.create(options, watch, { state, dirs: denoDirReader() }),
    watched: [sessions],
    fail: () => Deno.remove(sessions, { recursive: true }),
    garble: async () => {
      await write("harbour_20261124T100000Z", '{"name": "Harb');
      await write("broken_20261124T110000Z", "\u0000not json");
    },
    dispose: () => Deno.remove(root, { recursive: true }),
  };
});
