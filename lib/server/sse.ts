/**
 * The `GET /events` side of the room server: a hub that fans stored tiles out
 * to server-sent-event streams, each with a bounded queue. A client that does
 * not keep up is dropped (sent a final `event: dropped` and closed) instead
 * of being buffered without limit. A stream that is ending (dropped, or the hub
 * closed) still counts against the client limit, and is aborted if its client
 * has not read what is left within {@linkcode EventHubOptions.drainMs}: a client
 * that stops reading cannot hold a connection, its queue or a shutdown forever.
 *
 * @module
 */

/** Which tiles a subscriber wants; both absent means every room. */
export interface EventFilter {
  /** Exactly this normalized room. */
  room?: string;
  /** Rooms whose normalized name starts with this. */
  prefix?: string;
}

/** Counters of an {@linkcode EventHub}. */
export interface EventHubStats {
  /** Streams open now and fed new events. */
  clients: number;
  /** Streams still open that get no new events (dropped, or the hub closed); aborted after `drainMs`. */
  ending: number;
  /** Streams closed because their queue filled up. */
  dropped: number;
  /** Events queued to streams, in total. */
  sent: number;
}

/** Options of {@linkcode createEventHub}. */
export interface EventHubOptions {
  /** Events a stream may have waiting before it is dropped. */
  queueLimit: number;
  /** Streams open at once; more are refused. */
  maxClients: number;
  /** Milliseconds an ending stream has to deliver what is queued before it is aborted. */
  drainMs: number;
}

/** Fans tiles out to SSE streams. */
export interface EventHub {
  /** Open a stream, or `undefined` when {@linkcode EventHubOptions.maxClients} are open. */
  subscribe(filter: EventFilter, signal?: AbortSignal): ReadableStream<Uint8Array> | undefined;
  /** Queue an `event: tile` for every matching stream; `data` is only called if one matches. */
  publish(room: string, seq: number, data: () => string): void;
  /** End every stream (after what is queued, within `drainMs`) and refuse new ones. */
  close(): void;
  /** Counters. */
  stats(): EventHubStats;
}

interface Subscriber {
  filter: EventFilter;
  queue: string[];
  done: boolean;
  wake?: () => void;
  /** Aborts the stream; set while it is open. */
  abort?: () => void;
  /** The deadline of an ending stream. */
  timer?: ReturnType<typeof setTimeout>;
}

const encoder = new TextEncoder();

/** Bytes one write gathers at most (one event may be larger): what a stuck connection holds. */
const CHUNK_CHARS = 64 * 1024;

/** Remove and join the first queued events, up to {@linkcode CHUNK_CHARS} (at least one). */
function take(queue: string[]): string {
  let n = 0;
  let size = 0;
  while (n < queue.length && (n === 0 || size + queue[n].length <= CHUNK_CHARS)) {
    size += queue[n++].length;
  }
  return queue.splice(0, n).join("");
}

/**
 * Create an {@linkcode EventHub}.
 *
 * @param options Queue and client limits.
 * @returns The hub.
 */
export function createEventHub(options: EventHubOptions): EventHub {
  /** Streams feeding or ending: the client limit counts both. */
  const open = new Set<Subscriber>();
  const subscribers = new Set<Subscriber>();
  let dropped = 0;
  let sent = 0;
  let closed = false;

  /** Stop feeding `sub`: its stream ends after `finalEvent`, after what is queued unless `discard`. */
  function end(sub: Subscriber, finalEvent: string, discard: boolean): void {
    if (sub.done) return;
    sub.done = true;
    if (discard) sub.queue = [];
    if (finalEvent) sub.queue.push(finalEvent);
    subscribers.delete(sub);
    if (sub.abort) sub.timer = setTimeout(sub.abort, options.drainMs);
    sub.wake?.();
  }

  /** The stream of `sub` is over: free its slot and queue. */
  function release(sub: Subscriber): void {
    clearTimeout(sub.timer);
    sub.abort = undefined;
    sub.queue = [];
    open.delete(sub);
  }

  function subscribe(
    filter: EventFilter,
    signal?: AbortSignal,
  ): ReadableStream<Uint8Array> | undefined {
    if (closed || open.size >= options.maxClients) return undefined;
    const sub: Subscriber = { filter, queue: [], done: false };
    subscribers.add(sub);
    open.add(sub);
    signal?.addEventListener("abort", () => end(sub, "", true), { once: true });
    return new ReadableStream<Uint8Array>({
      start(controller) {
        sub.abort = () => {
          release(sub);
          controller.error(new Error("Event stream aborted: its client did not read"));
          sub.wake?.();
        };
        controller.enqueue(encoder.encode(": connected\nretry: 3000\n\n"));
      },
      async pull(controller) {
        while (sub.queue.length === 0 && !sub.done) {
          await new Promise<void>((resolve) => sub.wake = resolve);
          sub.wake = undefined;
        }
        if (!sub.abort) return; // aborted meanwhile
        const text = take(sub.queue);
        if (text) controller.enqueue(encoder.encode(text));
        else if (sub.done) {
          release(sub);
          controller.close();
        }
      },
      cancel() {
        end(sub, "", true);
        release(sub);
      },
    }, { highWaterMark: 0 });
  }

  function publish(room: string, seq: number, data: () => string): void {
    if (subscribers.size === 0) return;
    let event: string | undefined;
    for (const sub of subscribers) {
      const { room: only, prefix } = sub.filter;
      if (only !== undefined && room !== only) continue;
      if (prefix !== undefined && !room.startsWith(prefix)) continue;
      if (sub.queue.length >= options.queueLimit) {
        dropped++;
        end(
          sub,
          `event: dropped\ndata: ${
            JSON.stringify({ reason: `Client too slow: ${options.queueLimit} events queued` })
          }\n\n`,
          false,
        );
        continue;
      }
      event ??= `id: ${seq}\nevent: tile\ndata: ${data()}\n\n`;
      sub.queue.push(event);
      sent++;
      sub.wake?.();
    }
  }

  return {
    subscribe,
    publish,
    close() {
      closed = true;
      for (const sub of [...subscribers]) end(sub, "", false);
    },
    stats: () => ({
      clients: subscribers.size,
      ending: open.size - subscribers.size,
      dropped,
      sent,
    }),
  };
}
