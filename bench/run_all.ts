/**
 * Run every benchmark and rewrite `BENCHMARKS.md` (issue 7).
 *
 *     deno task bench                      # everything; rewrites BENCHMARKS.md
 *     deno task bench emitter cli_once     # a subset; prints the report only
 *     BENCH_QUICK=1 deno task bench        # fewer rounds, smaller inputs; prints only
 *     deno task bench --write ...          # rewrite BENCHMARKS.md even for a subset/quick run
 *
 * (`deno task bench` is `deno run -A bench/run_all.ts`.) Each benchmark script
 * runs as its own subprocess, one after another, so none shares a core or a
 * heap with another. Their human output is echoed with a `[name]` prefix; their
 * `BENCH_JSON {...}` lines (see `_stats.ts`, {@linkcode Figure}) are collected,
 * and `BENCH_NOTE {"for", "note"}` lines add analysis to a figure that missed
 * its target. A script that is missing or fails is reported as not measured;
 * the exit code is 1 when any script failed.
 *
 * @module
 */
import type { Figure } from "./_stats.ts";

interface Bench {
  /** Selector on the command line. */
  key: string;
  /** The issue whose target the figures answer. */
  issue: number;
  /** What issue 7 asks this benchmark to show. */
  shows: string;
  /** Scripts in bench/, each with its full and quick arguments. */
  scripts: { file: string; args: string[]; quick: string[]; v8?: string }[];
}

const BENCHES: Bench[] = [
  {
    key: "emitter",
    issue: 2,
    shows: "emitter vs a one-POST-per-tile loop; emit() cost",
    // 20,000 tiles: at ~100k tiles/s 5,000 would time a 50 ms window, too short on a noisy box.
    scripts: [
      { file: "emitter_bench.ts", args: ["20000", "5"], quick: ["2000", "2"] },
      { file: "emitter_ceiling_profile.ts", args: ["20000", "5"], quick: ["5000", "2"] },
    ],
  },
  {
    key: "log_scan",
    issue: 5,
    shows: "log scan vs grep -cE",
    scripts: [{
      file: "log_scan_bench.ts",
      args: ["--mb", "256", "--rounds", "3"],
      quick: ["--mb", "32", "--rounds", "2"],
    }],
  },
  {
    key: "server",
    issue: 3,
    shows: "server ingest vs bare inserts",
    scripts: [
      { file: "server_bench.ts", args: ["20000", "5"], quick: ["5000", "2"] },
      { file: "server_ingest_profile.ts", args: ["5"], quick: ["2"] },
    ],
  },
  {
    key: "cli_once",
    issue: 4,
    shows: "CLI --once vs a minimal fetch script",
    scripts: [{ file: "cli_once_bench.ts", args: ["20"], quick: ["5"] }],
  },
  {
    key: "worker",
    issue: 6,
    shows: "Worker bundle size and cycle CPU time",
    scripts: [{ file: "worker_bench.ts", args: [], quick: [] }],
  },
  {
    key: "outage_rss",
    issue: 4,
    shows: "RSS during a long outage (the CLI process)",
    scripts: [{ file: "outage_rss_bench.ts", args: ["360"], quick: ["30"] }],
  },
  {
    key: "outbox",
    issue: 4,
    shows: "durable outbox: append cost, in-process RSS with nothing draining",
    scripts: [{
      file: "outbox_bench.ts",
      args: ["600000"],
      quick: ["200000"],
      v8: "--v8-flags=--expose-gc",
    }],
  },
];

/** The outcome of one benchmark. */
interface Outcome {
  bench: Bench;
  figures: (Figure & { script: string })[];
  problems: string[];
  /** Failures that a second run got past. */
  incidents: string[];
  /** BENCH_NOTE lines, attached to their figure once every script has run. */
  notes: { for: string; note: string }[];
  seconds: number;
}

const BENCH_DIR = new URL("./", import.meta.url);
const TIMEOUT_MS = Number(Deno.env.get("BENCH_TIMEOUT_S") ?? 1200) * 1000;

async function exists(url: URL): Promise<boolean> {
  try {
    return (await Deno.stat(url)).isFile;
  } catch {
    return false;
  }
}

/**
 * Run one script; if it fails (not a timeout) run it once more, since the
 * machine is shared and a failure may be a neighbour's doing. The first
 * failure is still reported.
 */
async function runWithRetry(
  bench: Bench,
  script: Bench["scripts"][number],
  quick: boolean,
  out: Outcome,
): Promise<void> {
  const first: Outcome = { ...out, figures: [], problems: [], notes: [] };
  await runScript(bench, script, quick, first);
  const failed = first.problems.find((p) => p.includes(" failed (exit "));
  if (!failed) {
    out.figures.push(...first.figures);
    out.problems.push(...first.problems);
    out.notes.push(...first.notes);
    return;
  }
  console.log(`\n== ${bench.key}: bench/${script.file} failed; running it once more`);
  const second: Outcome = { ...out, figures: [], problems: [], notes: [] };
  await runScript(bench, script, quick, second);
  out.figures.push(...second.figures);
  out.problems.push(...second.problems);
  out.notes.push(...second.notes);
  out.incidents.push(
    `${failed} It was run once more${
      second.problems.length ? " and failed again." : "; the figures are from that second run."
    }`,
  );
}

/** Run one script, echo its lines, collect figures and notes. */
async function runScript(
  bench: Bench,
  script: Bench["scripts"][number],
  quick: boolean,
  out: Outcome,
): Promise<void> {
  const url = new URL(script.file, BENCH_DIR);
  if (!await exists(url)) {
    out.problems.push(`bench/${script.file} does not exist yet: not measured.`);
    return;
  }
  const args = ["run", "-A", ...(script.v8 ? [script.v8] : []), url.pathname];
  args.push(...(quick ? script.quick : script.args));
  console.log(`\n== ${bench.key}: deno ${args.join(" ")}`);
  const child = new Deno.Command(Deno.execPath(), {
    args,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1", ...(quick ? { BENCH_QUICK: "1" } : {}) },
  }).spawn();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill("SIGKILL");
  }, TIMEOUT_MS);
  const stderrTail: string[] = [];
  const pump = async (stream: ReadableStream<Uint8Array>, onLine: (line: string) => void) => {
    let buffer = "";
    for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
      buffer += chunk;
      const lines = buffer.split("\n");
      buffer = lines.pop()!;
      lines.forEach(onLine);
    }
    if (buffer) onLine(buffer);
  };
  await Promise.all([
    pump(child.stdout, (line) => {
      if (line.startsWith("BENCH_JSON ")) {
        try {
          out.figures.push({ ...JSON.parse(line.slice(11)), script: script.file });
        } catch {
          out.problems.push(`bench/${script.file} printed an unreadable BENCH_JSON line.`);
        }
      } else if (line.startsWith("BENCH_NOTE ")) {
        try {
          out.notes.push(JSON.parse(line.slice(11)));
        } catch {
          out.problems.push(`bench/${script.file} printed an unreadable BENCH_NOTE line.`);
        }
      } else console.log(`[${bench.key}] ${line}`);
    }),
    pump(child.stderr, (line) => {
      console.error(`[${bench.key}] ${line}`);
      stderrTail.push(line);
      if (stderrTail.length > 30) stderrTail.shift();
    }),
  ]);
  const status = await child.status;
  clearTimeout(timer);
  if (timedOut) out.problems.push(`bench/${script.file} timed out after ${TIMEOUT_MS / 1000} s.`);
  else if (!status.success) {
    const lines = stderrTail.map((l) => l.trim()).filter(Boolean);
    const last = lines.findLast((l) => /^error:/i.test(l)) ??
      lines.findLast((l) => /\b\w*Error:/.test(l)) ?? lines.at(-1) ?? "";
    out.problems.push(`bench/${script.file} failed (exit ${status.code}): ${last}`);
  }
}

function readFirst(path: string, pattern: RegExp): string | undefined {
  try {
    return pattern.exec(Deno.readTextFileSync(path))?.[1]?.trim();
  } catch {
    return undefined;
  }
}

function machine(): Record<string, string> {
  const memKb = Number(readFirst("/proc/meminfo", /^MemTotal:\s+(\d+)/m) ?? 0);
  const os = readFirst("/etc/os-release", /^PRETTY_NAME="?([^"\n]*)"?/m);
  return {
    "CPU": readFirst("/proc/cpuinfo", /^model name\s*:\s*(.*)$/m) ?? "unknown",
    "Cores": String(navigator.hardwareConcurrency),
    "Memory": memKb ? `${(memKb / 1024 / 1024).toFixed(1)} GiB` : "unknown",
    "OS": `${os ?? Deno.build.os} (${Deno.build.os} ${Deno.osRelease()}, ${Deno.build.arch})`,
    "Deno": `${Deno.version.deno} (V8 ${Deno.version.v8}, TypeScript ${Deno.version.typescript})`,
  };
}

/** The commit measured, and whether the working tree had uncommitted changes to code. */
function revision(): string {
  const git = (...args: string[]) => {
    try {
      const out = new Deno.Command("git", { args, cwd: new URL("../", import.meta.url) })
        .outputSync();
      return out.success ? new TextDecoder().decode(out.stdout).trimEnd() : "";
    } catch {
      return "";
    }
  };
  const head = git("rev-parse", "--short", "HEAD");
  if (!head) return "unknown (not a git checkout)";
  const dirty = git("status", "--porcelain", "--untracked-files=no", "--", "lib", "scouts", "*.ts")
    .split("\n").filter(Boolean).map((l) => l.slice(3));
  return dirty.length
    ? `${head}, with uncommitted changes to ${dirty.length} file(s): ${dirty.join(", ")}`
    : `${head} (clean)`;
}

const load = () => Deno.loadavg().map((x) => x.toFixed(2)).join(" / ");

/** 3 significant digits, thousands grouped for large numbers. */
function num(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  if (a >= 1000) return Math.round(x).toLocaleString("en-US");
  if (a >= 100) return x.toFixed(0);
  if (a >= 10) return x.toFixed(1);
  if (a >= 1) return x.toFixed(2);
  return x.toPrecision(3);
}

/** Ratios near a target like 0.5x need the third digit: 0.498x is not 0.50x. */
const ratioText = (r: number) => (r < 1 ? r.toFixed(3) : r.toFixed(2));

const cell = (s: string) => s.replace(/\|/g, "\\|").replace(/\n/g, " ");

function markdown(
  outcomes: Outcome[],
  info: {
    command: string;
    date: string;
    loadStart: string;
    loadEnd: string;
    minutes: number;
    revision: string;
  },
): string {
  const figures = outcomes.flatMap((o) => o.figures.map((f) => ({ ...f, issue: o.bench.issue })));
  const met = figures.filter((f) => f.met).length;
  const lines = [
    "# Benchmarks",
    "",
    `Generated by \`${info.command}\` (bench/run_all.ts) on ${info.date}; every figure below ` +
    "comes from that one run. Do not edit by hand: rerun the command.",
    "",
    "## Machine",
    "",
    "| | |",
    "| --- | --- |",
    ...Object.entries(machine()).map(([k, v]) => `| ${k} | ${cell(v)} |`),
    `| Load average (1 / 5 / 15 min) | at start ${info.loadStart}; at end ${info.loadEnd} |`,
    `| Code measured | ${cell(info.revision)} |`,
    "",
    "The machine is shared with other work and noisy: a load average near or above the core " +
    "count means the benchmarks competed for CPU, which widens min-max ranges and pushes " +
    "ratios against processes (grep, the minimal script) in either direction. Medians of " +
    "several rounds and comparisons taken in the same run, alternating where possible, are " +
    "what make the figures comparable.",
    "",
    "## Command",
    "",
    "```sh",
    info.command,
    "```",
    "",
    `It took ${info.minutes.toFixed(1)} minutes. Subset: \`deno task bench emitter cli_once\`` +
    ` (keys: ${BENCHES.map((b) => `\`${b.key}\``).join(", ")}); quick mode with fewer ` +
    "rounds: `BENCH_QUICK=1 deno task bench`. Only a full run rewrites this file " +
    "(`--write` forces it). Each script also runs alone: `deno run -A bench/<script>`.",
    "",
    "## Figures",
    "",
    `${met} of ${figures.length} figures meet their target.`,
    "",
    "| Figure | Issue | Median | Min - max | Compared with (same run): median, min - max | " +
    "Ratio of medians | Target | Met |",
    "| --- | --- | --- | --- | --- | --- | --- | --- |",
  ];
  for (const f of figures) {
    const unit = ` ${f.unit}`;
    const against = f.against
      ? `${cell(f.against.name)}: ${num(f.against.median)}${unit}, ${num(f.against.min)} - ${
        num(f.against.max)
      }`
      : "-";
    const ratio = f.against && f.against.median !== 0
      ? `${ratioText(f.median / f.against.median)}x`
      : "-";
    lines.push(
      `| ${cell(f.name)} | #${f.issue} | ${num(f.median)}${unit} | ${num(f.min)} - ${
        num(f.max)
      } | ${against} | ${ratio} | ${cell(f.target)} | ${f.met ? "yes" : "**no**"} |`,
    );
  }
  lines.push("", "## Notes", "");
  lines.push(
    "Each figure's note, from the script that measured it. A missed target says why and what " +
      "would close the gap.",
    "",
  );
  for (const f of figures) {
    lines.push(
      `- **${f.name}** (${f.met ? "met" : "missed"}; bench/${f.script}): ${
        f.note ?? (f.met ? "no further note." : "its script gives no analysis of the miss.")
      }`,
    );
  }
  const problems = outcomes.flatMap((o) =>
    o.problems.map((p) => `- ${o.bench.key} (${o.bench.shows}): ${p}`)
  );
  if (problems.length) lines.push("", "## Not measured", "", ...problems);
  const incidents = outcomes.flatMap((o) => o.incidents.map((p) => `- ${o.bench.key}: ${p}`));
  if (incidents.length) lines.push("", "## Incidents during the run", "", ...incidents);
  lines.push("", "## What each benchmark shows", "");
  for (const b of BENCHES) {
    lines.push(
      `- \`${b.key}\` (issue ${b.issue}): ${b.shows}. ${
        b.scripts.map((s) => `bench/${s.file} ${s.args.join(" ")}`.trim()).join("; ")
      }.`,
    );
  }
  return lines.join("\n") + "\n";
}

if (import.meta.main) {
  const write = Deno.args.includes("--write");
  const keys = Deno.args.filter((a) => !a.startsWith("--"));
  const unknown = keys.filter((k) => !BENCHES.some((b) => b.key === k));
  if (unknown.length) {
    console.error(
      `run_all: unknown benchmark '${unknown[0]}' (one of: ${
        BENCHES.map((b) => b.key).join(", ")
      })`,
    );
    Deno.exit(2);
  }
  const quick = Deno.env.get("BENCH_QUICK") === "1";
  const selected = keys.length ? BENCHES.filter((b) => keys.includes(b.key)) : BENCHES;
  const command = `${quick ? "BENCH_QUICK=1 " : ""}deno task bench${
    Deno.args.length ? ` ${Deno.args.join(" ")}` : ""
  }`;
  const loadStart = load();
  const rev = revision();
  const started = performance.now();
  const date = new Date().toISOString().replace(/\.\d+Z$/, "Z");
  const outcomes: Outcome[] = [];
  for (const bench of selected) {
    const out: Outcome = {
      bench,
      figures: [],
      problems: [],
      incidents: [],
      notes: [],
      seconds: 0,
    };
    const t0 = performance.now();
    for (const script of bench.scripts) await runWithRetry(bench, script, quick, out);
    out.seconds = (performance.now() - t0) / 1000;
    for (const n of out.notes) {
      const figure = out.figures.find((f) => f.name === n.for);
      if (figure && !figure.met) figure.note = [figure.note, n.note].filter(Boolean).join(" ");
    }
    if (out.figures.length === 0 && out.problems.length === 0) {
      out.problems.push("the scripts printed no BENCH_JSON figure.");
    }
    outcomes.push(out);
  }
  const report = markdown(outcomes, {
    command,
    date,
    loadStart,
    loadEnd: load(),
    minutes: (performance.now() - started) / 60_000,
    revision: rev,
  });
  const full = !quick && selected.length === BENCHES.length;
  if (full || write) {
    await Deno.writeTextFile(new URL("../BENCHMARKS.md", import.meta.url), report);
    console.log("\nBENCHMARKS.md rewritten.");
  } else {
    console.log(`\n${report}`);
    console.log("(subset or quick run: BENCHMARKS.md not rewritten; add --write to force)");
  }
  for (const o of outcomes) {
    console.log(
      `${o.bench.key.padEnd(11)} ${o.seconds.toFixed(0).padStart(5)} s  ${o.figures.length} ` +
        `figure(s), ${o.figures.filter((f) => !f.met).length} missed` +
        (o.problems.length ? `; ${o.problems.join(" ")}` : ""),
    );
  }
  Deno.exit(outcomes.some((o) => o.problems.length) ? 1 : 0);
}
