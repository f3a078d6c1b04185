import { MemoryOutbox } from "../lib/outbox.ts";
import { outboxConformance } from "./outbox_conformance.ts";

outboxConformance("MemoryOutbox", ({ capacity }) => ({
  outbox: new MemoryOutbox({ capacity }),
  dispose() {},
}));
