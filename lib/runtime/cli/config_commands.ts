import { configJsonSchema } from "../../config/json_schema.ts";
import { getEnv } from "../../env.ts";
import { redactSecrets } from "../../redact.ts";
import { UsageError } from "../usage_error.ts";
import { type Command, parseFlags } from "./command.ts";
import { loadAllKinds } from "./kind_loader.ts";
import { configFromFile } from "./run_options.ts";

/** `plato-scout validate scout.yaml`: check a config without running it. */
export const validateCommand: Command = {
  name: "validate",
  summary: "Check a scout.yaml and print what it would run",
  help:
    "Usage: plato-scout validate <scout.yaml>\n\nExits 0 when valid, 2 with every problem (path and line) when not.",
  async run(argv) {
    const { positionals } = parseFlags("validate", argv, {}, { positionals: 1 });
    if (positionals.length === 0) {
      throw new UsageError("validate: missing the config file to check");
    }
    const config = await configFromFile(positionals[0], true);
    // A name or room given `${PLATO_API_KEY}` is masked, as in tiles and logs.
    const apiKey = getEnv("PLATO_API_KEY");
    const secrets = [...(config.secrets ?? []), ...(apiKey ? [apiKey] : [])];
    const shown = (text: string) => redactSecrets(text, secrets);
    for (const s of config.scouts) {
      const schedule = s.cron ? `on cron '${shown(s.cron)}'` : `every ${s.pollInterval}s`;
      console.log(`ok: ${shown(s.name)} (${s.watch.type}) ${schedule} \u2192 ${shown(s.room)}`);
    }
    return 0;
  },
};

/** `plato-scout schema`: the JSON Schema of scout.yaml, from the same zod schema. */
export const schemaCommand: Command = {
  name: "schema",
  summary: "Print the JSON Schema of scout.yaml (for editor completion)",
  help: "Usage: plato-scout schema > scout.schema.json",
  async run(argv) {
    parseFlags("schema", argv, {});
    console.log(JSON.stringify(configJsonSchema(await loadAllKinds()), null, 2));
    return 0;
  },
};
