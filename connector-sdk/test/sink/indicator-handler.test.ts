import { describe, expect, it } from "vitest";
import type { Logger } from "../../src/logging/types.js";
import type { EventContext } from "../../src/runtime/plugin.js";
import { changedFields, type IndicatorQueue, IndicatorSinkHandler } from "../../src/sink/indicator-handler.js";
import type { SinkChange } from "../../src/sink/types.js";
import { createClassifier, createMapper } from "../../src/stix/index.js";
import type { StixObject, StreamEvent } from "../../src/stream/envelope.js";
import { indicator, TABLE } from "../stix/helpers.js";

type Payload = { readonly type: string; readonly value: string; readonly name?: string };
const mapper = createMapper(createClassifier(TABLE), (ind, ioc) => ({
  type: ioc.type,
  value: ioc.value,
  ...(typeof ind.name === "string" ? { name: ind.name } : {}),
}));

function setup(skipScoreOnlyUpdates = false) {
  const enqueued: { eventId: string; changes: readonly SinkChange<Payload>[] }[] = [];
  const queue: IndicatorQueue<Payload> = {
    enqueue: async (changes, eventId, done) => {
      enqueued.push({ eventId, changes });
      done();
    },
    drain: async () => {},
    stop: () => {},
  };
  const lines: { level: string; message: string; attributes?: Readonly<Record<string, unknown>> }[] = [];
  const logger: Logger = {
    debug: (message, attributes) => lines.push({ level: "debug", message, attributes }),
    info: (message, attributes) => lines.push({ level: "info", message, attributes }),
    warning: (message, attributes) => lines.push({ level: "warning", message, attributes }),
    error: (message, attributes) => lines.push({ level: "error", message, attributes }),
    child: () => logger,
  };
  const skips: string[] = [];
  const handler = new IndicatorSinkHandler<Payload>({
    target: "Toy",
    queue,
    map: (ind, now) => mapper(ind, { now }),
    fingerprint: (p) => `${p.type}|${p.value}|${p.name ?? ""}`,
    relevantFields: new Set(["pattern", "name", "revoked", "valid_until", "score"]),
    skipScoreOnlyUpdates,
    skipped: { inc: ({ reason }) => skips.push(reason) },
    logger,
    startMessage: "Pushing to Toy",
    startFields: { url: "https://toy.example" },
    now: () => Date.parse("2025-01-01T00:00:00Z"),
  });
  let seq = 0;
  const ctx: EventContext = { defer: () => () => {}, signal: new AbortController().signal };
  const send = (event: StreamEvent["event"], data: StixObject, context?: StreamEvent["context"]) =>
    handler.handle(
      { id: `${++seq}-0`, event, data, message: "", origin: {}, version: "4", ...(context ? { context } : {}) },
      ctx,
    );
  return { handler, enqueued, lines, skips, send };
}

describe("IndicatorSinkHandler", () => {
  it("a create enqueues the indicator's payloads with their fingerprints; an unmappable one is skipped and named", async () => {
    const { enqueued, lines, skips, send } = setup();
    const ind = indicator("[ipv4-addr:value = '198.51.100.1']", { name: "one" });
    await send("create", ind);
    await send("create", indicator("[ipv4-addr:value = '198.51.100.0/24']"));
    expect(enqueued).toEqual([
      {
        eventId: "1-0",
        changes: [
          {
            key: ind.id,
            items: [
              { payload: { type: "IPV4", value: "198.51.100.1", name: "one" }, fingerprint: "IPV4|198.51.100.1|one" },
            ],
          },
        ],
      },
    ]);
    expect(skips).toHaveLength(1);
    expect(lines.find((l) => l.message === "Indicator not pushed to Toy")?.level).toBe("info");
  });

  it("an update that touches no relevant field sends nothing; a score-only one is skipped only when asked", async () => {
    const ind = indicator("[domain-name:value = 'example.com']");
    const scorePatch = {
      patch: [
        {
          op: "replace",
          path: "/extensions/extension-definition--ea279b3e-5c71-4632-ac08-831c66a786ba/score",
          value: 10,
        },
      ],
    };
    const plain = setup();
    await plain.send("update", ind, { patch: [{ op: "replace", path: "/confidence", value: 10 }] });
    expect(plain.enqueued).toEqual([]);
    await plain.send("update", ind, scorePatch);
    expect(plain.enqueued).toHaveLength(1);
    const skipping = setup(true);
    await skipping.send("update", ind, scorePatch);
    expect(skipping.enqueued).toEqual([]);
  });

  it("a revocation, a deletion and a merge's sources become 'none' for their keys", async () => {
    const { enqueued, send } = setup();
    const ind = indicator("[url:value = 'http://example.com/a']");
    const other = indicator("[url:value = 'http://example.com/b']");
    await send("update", { ...ind, revoked: true }, { patch: [{ op: "replace", path: "/revoked", value: true }] });
    await send("delete", ind);
    await send("merge", ind, { sources: [other] });
    expect(enqueued.map((e) => e.changes.map((c) => [c.key, c.items.length]))).toEqual([
      [[ind.id, 0]],
      [[ind.id, 0]],
      [
        [ind.id, 1],
        [other.id, 0],
      ],
    ]);
  });

  it("changedFields reads patch paths, extension scores and a whole-document replace", () => {
    const relevant = new Set(["name", "score"]);
    expect(changedFields({ patch: [{ op: "replace", path: "/name", value: "x" }] }, relevant)).toEqual(
      new Set(["name"]),
    );
    expect(changedFields({ patch: [{ op: "replace", path: "", value: {} }] }, relevant)).toBe("unknown");
    expect(changedFields(undefined, relevant)).toBe("unknown");
    expect(changedFields({ patch: [{ op: "remove", path: "/extensions" }] }, relevant)).toEqual(new Set(["score"]));
  });
});
