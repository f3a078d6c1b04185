/**
 * The `GET /events` side of the room server: a hub that fans stored tiles out
 * to server-sent-event streams, each with a bounded queue. A client that does
 * not keep up is dropped (sent a final `event: dropped` and closed) instead
 * of being buffered without limit.
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
  /** Streams open now. */
  clients: number;
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
}

/** Fans tiles out to SSE streams. */
export interface EventHub {
  /** Open a stream, or `undefined` when {@linkcode EventHubOptions.maxClients} are open. */
  subscribe(filter: EventFilter, signal?: AbortSignal): ReadableStream<Uint8Array> | undefined;
  /** Queue an `event: tile` for every matching stream; `data` is only called if one matches. */
  publish(room: string, seq: number, data: () => string): void;
  /** End every stream (after what is queued) and refuse new ones. */
  close(): void;
  /** Counters. */
  stats(): EventHubStats;
}

interface Subscriber {
  filter: EventFilter;
  queue: string[];
  done: boolean;
  wake?: () => void;
}

const encoder = new TextEncoder();

/**
 * Create an {@linkcode EventHub}.
 *
 * @param options Queue and client limits.
 * @returns The hub.
 */
export function createEventHub(options: EventHubOptions): EventHub {
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
    sub.wake?.();
  }

  function subscribe(
    filter: EventFilter,
    signal?: AbortSignal,
  ): ReadableStream<Uint8Array> | undefined {
    if (closed || subscribers.size >= options.maxClients) return undefined;
    const sub: Subscriber = { filter, queue: [], done: false };
    subscribers.add(sub);
    signal?.addEventListener("abort", () => end(sub, "", true), { once: true });
    return new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(encoder.encode(": connected\nretry: 3000\n\n"));
      },
      async pull(controller) {
        while (sub.queue.length === 0 && !sub.done) {
          await new Promise<void>((resolve) => sub.wake = resolve);
          sub.wake = undefined;
        }
        const text = sub.queue.splice(0).join("");
        if (text) controller.enqueue(encoder.encode(text));
        else if (sub.done) controller.close();
      },
      cancel() {
        end(sub, "", true);
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
      for (const sub of [...subscribers]) {
        sub.done = true;
        subscribers.delete(sub);
        sub.wake?.();
      }
    },
    stats: () => ({ clients: subscribers.size, dropped, sent }),
  };
}
