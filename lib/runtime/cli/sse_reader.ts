/** One server-sent event. */
export interface SseEvent {
  /** The `event:` field; `message` when absent. */
  event: string;
  /** The `data:` lines, joined with `\n`. */
  data: string;
  /** The `id:` field, if any. */
  id?: string;
}

/** A line's end: CRLF, LF or CR (a CR at the end of the buffer may be half a CRLF). */
const LINE_END = /\r\n|\n|\r(?!$)/;

/**
 * Parse a `text/event-stream` body into events, ending when the stream ends.
 * Lines may end with CRLF, LF or CR, split anywhere across chunks. Comments
 * and `retry:` lines are skipped; an event the stream ends in the middle of is dropped.
 *
 * @param body The response body.
 * @returns The events, in order.
 */
export async function* readSse(body: ReadableStream<Uint8Array>): AsyncGenerator<SseEvent> {
  let buffer = "";
  let event = "message";
  let id: string | undefined;
  let data: string[] = [];

  /** The events the complete lines of `buffer` finish. */
  function* drain(): Generator<SseEvent> {
    let match: RegExpExecArray | null;
    while ((match = LINE_END.exec(buffer)) !== null) {
      const line = buffer.slice(0, match.index);
      buffer = buffer.slice(match.index + match[0].length);
      if (line === "") {
        if (data.length > 0) yield { event, data: data.join("\n"), id };
        event = "message";
        data = [];
        continue;
      }
      if (line.startsWith(":")) continue;
      const colon = line.indexOf(":");
      const field = colon === -1 ? line : line.slice(0, colon);
      const value = colon === -1 ? "" : line.slice(colon + 1).replace(/^ /, "");
      if (field === "event") event = value;
      else if (field === "data") data.push(value);
      else if (field === "id") id = value;
    }
  }

  for await (const chunk of body.pipeThrough(new TextDecoderStream())) {
    buffer += chunk;
    yield* drain();
  }
  // At the end, a last CR is a whole line end.
  if (buffer.endsWith("\r")) {
    buffer = `${buffer.slice(0, -1)}\n`;
    yield* drain();
  }
}
