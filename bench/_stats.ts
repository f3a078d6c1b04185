/** Min, median and max of a sample. */
export function summary(values: number[]): { min: number; median: number; max: number } {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  const median = s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
  return { min: s[0], median, max: s[s.length - 1] };
}

/** One figure for BENCHMARKS.md, printed as a `BENCH_JSON` line. */
export interface Figure {
  name: string;
  unit: string;
  min: number;
  median: number;
  max: number;
  /** The comparison from the same run, if any. */
  against?: { name: string; min: number; median: number; max: number };
  /** e.g. ">= 25x the comparison" */
  target: string;
  met: boolean;
  /** Why a missed target is missed and what would close the gap. */
  note?: string;
}

/** Print figures for the aggregator (bench/run_all.ts). */
export function report(figures: Figure[]): void {
  for (const f of figures) console.log(`BENCH_JSON ${JSON.stringify(f)}`);
}

/** Start the sink process and return its URL and a stopper. */
export async function startSink(): Promise<
  { url: string; count(): Promise<number>; stop(): Promise<void> }
> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL("./_sink.ts", import.meta.url).pathname],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) throw new Error("sink exited");
    text += value;
  }
  reader.releaseLock();
  const url = `http://127.0.0.1:${text.trim()}`;
  return {
    url,
    count: async () => (await (await fetch(`${url}/count`)).json()).tiles,
    stop: async () => {
      child.kill("SIGTERM");
      await child.status;
      await child.stdout.cancel().catch(() => {});
    },
  };
}
