/**
 * A generated corpus of hostile stream events (scenario 5). Each entry publishes one event and says why it is bad.
 * Two families:
 * - raw SSE messages the SDK must refuse before any handler sees them (not JSON, not an object, no STIX object, a
 *   STIX object without a string id/type, a context that is not an object, an unknown event name, literal control
 *   characters and NUL, `__proto__` / `constructor` keys where the envelope or the STIX object should be);
 * - well-formed envelopes whose indicator the connector must skip (a pattern of the wrong type, 1 MB long, nested
 *   10,000 parentheses deep, with control characters and NUL, long OR chains of unsupported comparisons, invalid
 *   values, `__proto__` / `constructor` keys around a pattern that cannot be used …).
 * Every entry must be logged exactly once with its event id and a reason, and must never reach SentinelOne.
 */
import { makeIndicator, type OpenCtiSimulator } from "@octi/connector-sdk-testing";
import { prng } from "./feed.js";
import { STREAM_ID } from "./harness.js";

export interface HostileEntry {
  readonly kind: string;
  /** Publishes the event; returns its SSE id. */
  readonly publish: (octi: OpenCtiSimulator) => string;
}

const raw =
  (event: string, data: string) =>
  (octi: OpenCtiSimulator): string =>
    octi.publishRaw(event, data, STREAM_ID);

/** A valid envelope around `data`, as JSON text (so keys like `__proto__` survive as plain keys). */
const envelope = (dataJson: string, extra = "") =>
  `{"data":${dataJson},"message":"hostile","origin":{},"version":"4","type":"create","scope":"external"${extra}}`;

const indicatorJson = (id: string, fields: string) =>
  `{"id":"${id}","spec_version":"2.1","type":"indicator","name":"hostile","pattern_type":"stix","valid_from":"2024-01-01T00:00:00Z"${fields ? `,${fields}` : ""}}`;

/** A `create` of an indicator with these extra JSON fields, in a valid envelope. */
const createIndicator = (id: string, fields: string) => raw("create", envelope(indicatorJson(id, fields)));

/** The SDK parser's default length limit is 262,144 characters: this is four times that. */
const ONE_MB = 1024 * 1024;

function orChain(count: number, comparison: (i: number) => string, observationLevel: boolean): string {
  const parts: string[] = [];
  for (let i = 0; i < count; i++) parts.push(comparison(i));
  return observationLevel ? parts.map((p) => `[${p}]`).join(" OR ") : `[${parts.join(" OR ")}]`;
}

/** The entry kinds, each a factory of one hostile event (`n` makes values and ids unique). */
const FACTORIES: readonly {
  readonly kind: string;
  readonly weight: number;
  readonly make: (n: number, id: string) => HostileEntry["publish"];
}[] = [
  // ---- refused by the SDK (MalformedEvent)
  { kind: "json:truncated", weight: 4, make: (_n, id) => raw("create", `{"data":{"id":"${id}","type":"indicator"`) },
  { kind: "json:garbage", weight: 3, make: (n) => raw("create", `not json at all ${n}`) },
  { kind: "json:single-quotes", weight: 2, make: (n) => raw("update", `{'data': {'id': 'x-${n}'}}`) },
  {
    kind: "json:trailing-comma",
    weight: 2,
    make: (_n, id) => raw("create", `{"data":{"id":"${id}","type":"indicator",},}`),
  },
  { kind: "json:number", weight: 1, make: (n) => raw("create", String(n)) },
  { kind: "json:string", weight: 1, make: (n) => raw("delete", JSON.stringify(`indicator-${n}`)) },
  { kind: "json:null", weight: 1, make: () => raw("create", "null") },
  { kind: "json:array", weight: 1, make: (_n, id) => raw("create", `[{"data":{"id":"${id}","type":"indicator"}}]`) },
  {
    kind: "envelope:no-data",
    weight: 2,
    make: () => raw("create", `{"type":"create","scope":"external","version":"4"}`),
  },
  { kind: "envelope:data-string", weight: 2, make: (_n, id) => raw("create", envelope(JSON.stringify(id))) },
  { kind: "envelope:data-array", weight: 1, make: (_n, id) => raw("update", envelope(`[${JSON.stringify(id)}]`)) },
  {
    kind: "stix:no-id",
    weight: 2,
    make: () => raw("create", envelope(`{"type":"indicator","pattern":"[ipv4-addr:value = '10.9.9.9']"}`)),
  },
  {
    kind: "stix:numeric-id",
    weight: 2,
    make: (n) => raw("create", envelope(`{"id":${n},"type":"indicator","pattern":"[ipv4-addr:value = '10.9.9.9']"}`)),
  },
  { kind: "stix:empty-id", weight: 1, make: () => raw("delete", envelope(`{"id":"","type":"indicator"}`)) },
  { kind: "stix:numeric-type", weight: 1, make: (_n, id) => raw("create", envelope(`{"id":"${id}","type":7}`)) },
  { kind: "stix:no-type", weight: 1, make: (_n, id) => raw("merge", envelope(`{"id":"${id}"}`)) },
  {
    kind: "envelope:context-string",
    weight: 2,
    make: (_n, id) =>
      raw("update", envelope(indicatorJson(id, `"pattern":"[ipv4-addr:value = '10.9.9.8']"`), `,"context":"nope"`)),
  },
  {
    kind: "event:unknown-name",
    weight: 2,
    make: (_n, id) => raw("explode", envelope(indicatorJson(id, `"pattern":"[ipv4-addr:value = '10.9.9.7']"`))),
  },
  {
    kind: "event:no-name",
    weight: 1,
    make: (_n, id) => (octi) =>
      octi.publishRawText(
        `data: ${envelope(indicatorJson(id, `"pattern":"[ipv4-addr:value = '10.9.9.6']"`))}\n`,
        STREAM_ID,
      ),
  },
  {
    kind: "raw:nul-in-json",
    weight: 3,
    make: (_n, id) => createIndicator(id, `"pattern":"[ipv4-addr:value = '10.9.9.5\u0000']"`),
  },
  {
    kind: "raw:control-chars",
    weight: 2,
    make: (_n, id) => createIndicator(id, `"pattern":"[ipv4-addr:value = '\u0001\u0002\u001b[31m']"`),
  },
  {
    kind: "raw:cr-in-data",
    weight: 2,
    make: (_n, id) => createIndicator(id, `"pattern":"x\rdata: {}"`),
  },
  {
    kind: "proto:envelope",
    weight: 2,
    make: (_n, id) =>
      raw(
        "create",
        `{"__proto__":{"data":${indicatorJson(id, `"pattern":"[ipv4-addr:value = '10.9.9.4']"`)}},"version":"4"}`,
      ),
  },
  {
    kind: "proto:stix",
    weight: 2,
    make: (_n, id) =>
      raw(
        "create",
        envelope(`{"__proto__":{"id":"${id}","type":"indicator","pattern":"[ipv4-addr:value = '10.9.9.3']"}}`),
      ),
  },
  {
    kind: "constructor:envelope",
    weight: 1,
    make: () => raw("create", `{"constructor":{"prototype":{"data":{"id":"indicator--x","type":"indicator"}}}}`),
  },

  // ---- well-formed envelopes, indicators the connector must skip
  { kind: "pattern:number", weight: 2, make: (n, id) => createIndicator(id, `"pattern":${n}`) },
  {
    kind: "pattern:object",
    weight: 2,
    make: (_n, id) => createIndicator(id, `"pattern":{"value":"10.1.1.1"}`),
  },
  {
    kind: "pattern:array",
    weight: 1,
    make: (_n, id) => createIndicator(id, `"pattern":["[ipv4-addr:value = '10.1.1.2']"]`),
  },
  { kind: "pattern:null", weight: 1, make: (_n, id) => createIndicator(id, `"pattern":null`) },
  {
    kind: "pattern_type:number",
    weight: 1,
    make: (_n, id) => createIndicator(id, `"pattern":"[ipv4-addr:value = '10.1.1.3']","pattern_type":42`),
  },
  { kind: "pattern:empty", weight: 1, make: (_n, id) => createIndicator(id, `"pattern":""`) },
  {
    kind: "pattern:syntax",
    weight: 3,
    make: (n, id) => createIndicator(id, `"pattern":"[ipv4-addr:value = ] ${n}"`),
  },
  {
    kind: "pattern:nul",
    weight: 3,
    make: (_n, id) => createIndicator(id, `"pattern":"[ipv4-addr:value = '10.1.1.4\\u0000']"`),
  },
  {
    kind: "pattern:nul-outside-quotes",
    weight: 2,
    make: (_n, id) => createIndicator(id, `"pattern":"[ipv4-addr:value\\u0000= '10.1.1.5']"`),
  },
  {
    kind: "pattern:control-in-domain",
    weight: 2,
    make: (_n, id) => createIndicator(id, `"pattern":"[domain-name:value = 'ev\\u0007il.example.com']"`),
  },
  {
    kind: "pattern:control-in-url",
    weight: 2,
    make: (_n, id) => createIndicator(id, `"pattern":"[url:value = 'http://x.example/\\u001b\\u0000']"`),
  },
  {
    kind: "pattern:bad-hash",
    weight: 2,
    make: (_n, id) => createIndicator(id, `"pattern":"[file:hashes.MD5 = 'zz']"`),
  },
  {
    kind: "pattern:cidr",
    weight: 1,
    make: (_n, id) => createIndicator(id, `"pattern":"[ipv4-addr:value = '10.0.0.0/8']"`),
  },
  {
    kind: "pattern:or-unsupported-objects",
    weight: 1,
    make: (n, id) =>
      raw(
        "create",
        envelope(
          indicatorJson(
            id,
            `"pattern":${JSON.stringify(orChain(500 + (n % 500), (i) => `x-hostile:value = 'v${i}'`, false))}`,
          ),
        ),
      ),
  },
  {
    kind: "pattern:or-unsupported-operators",
    weight: 1,
    make: (n, id) =>
      raw(
        "create",
        envelope(
          indicatorJson(
            id,
            `"pattern":${JSON.stringify(orChain(500 + (n % 500), (i) => `ipv4-addr:value > '10.2.${(i >> 8) & 255}.${i & 255}'`, true))}`,
          ),
        ),
      ),
  },
  {
    kind: "pattern:or-with-one-bad",
    weight: 1,
    make: (n, id) =>
      raw(
        "create",
        envelope(
          indicatorJson(
            id,
            `"pattern":${JSON.stringify(`${orChain(300 + (n % 300), (i) => `ipv4-addr:value = '10.3.${(i >> 8) & 255}.${i & 255}'`, false)} OR [file:size = 5]`)}`,
          ),
        ),
      ),
  },
  {
    kind: "proto:indicator-keys",
    weight: 2,
    make: (_n, id) =>
      raw(
        "create",
        envelope(
          `{"__proto__":{"pattern":"[ipv4-addr:value = '10.1.1.6']"},"constructor":{"prototype":{"pattern":"x"}},"id":"${id}","type":"indicator"}`,
        ),
      ),
  },
  {
    kind: "proto:extensions",
    weight: 1,
    make: (_n, id) =>
      raw(
        "create",
        envelope(
          indicatorJson(
            id,
            `"pattern":"[ipv4-addr:value = ]","extensions":{"__proto__":{"score":99},"constructor":{"prototype":{"polluted":true}}}`,
          ),
        ),
      ),
  },
  {
    kind: "update:garbage-patch",
    weight: 2,
    make: (_n, id) =>
      raw(
        "update",
        envelope(
          indicatorJson(id, `"pattern":"[ipv4-addr:value = 'nope']"`),
          `,"context":{"patch":"x","reverse_patch":{"op":1}}`,
        ),
      ),
  },
];

/** Heavy kinds, a few of each (their size, not their number, is the point). */
const HEAVY: readonly { readonly kind: string; readonly make: (id: string) => HostileEntry["publish"] }[] = [
  {
    kind: "pattern:1MB",
    make: (id) => createIndicator(id, `"pattern":"[url:value = 'http://x.example/${"a".repeat(ONE_MB)}']"`),
  },
  {
    kind: "pattern:nested-10000",
    make: (id) =>
      raw(
        "create",
        envelope(
          indicatorJson(id, `"pattern":"${"(".repeat(10_000)}[ipv4-addr:value = '10.4.4.4']${")".repeat(10_000)}"`),
        ),
      ),
  },
  {
    kind: "pattern:brackets-10000",
    make: (id) =>
      raw(
        "create",
        envelope(
          indicatorJson(id, `"pattern":"${"[".repeat(10_000)}ipv4-addr:value = '10.4.4.5'${"]".repeat(10_000)}"`),
        ),
      ),
  },
  {
    kind: "json:nested-10000",
    make: (id) => createIndicator(id, `"pattern":5,"deep":${"[".repeat(10_000)}${"]".repeat(10_000)}`),
  },
];

/** `count` hostile entries (at least one of each kind, the heavy ones `heavyEach` times), shuffled by `seed`. */
export function hostileCorpus(count: number, seed: string, heavyEach: number): HostileEntry[] {
  const random = prng(seed);
  const entries: HostileEntry[] = [];
  let n = 0;
  const nextId = () => `indicator--00000000-0000-4000-8000-${(n++).toString(16).padStart(12, "0")}`;
  for (const heavy of HEAVY)
    for (let i = 0; i < heavyEach; i++) entries.push({ kind: heavy.kind, publish: heavy.make(nextId()) });
  for (const factory of FACTORIES) entries.push({ kind: factory.kind, publish: factory.make(n, nextId()) });
  const total = FACTORIES.reduce((sum, f) => sum + f.weight, 0);
  while (entries.length < count) {
    const pick = random() * total;
    let acc = 0;
    const factory =
      FACTORIES.find((f) => {
        acc += f.weight;
        return pick < acc;
      }) ?? FACTORIES[0]!;
    entries.push({ kind: factory.kind, publish: factory.make(n, nextId()) });
  }
  // Fisher–Yates with the seeded generator.
  for (let i = entries.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [entries[i], entries[j]] = [entries[j]!, entries[i]!];
  }
  return entries;
}

/** A valid indicator create that must reach SentinelOne, to put between hostile events. */
export function validIndicator(n: number, seed: string) {
  const value = `10.200.${(n >> 8) & 255}.${n & 255}`;
  return {
    indicator: makeIndicator({ pattern: `[ipv4-addr:value = '${value}']`, seed: `${seed}:valid:${n}` }),
    ioc: { type: "IPV4", value },
  };
}
