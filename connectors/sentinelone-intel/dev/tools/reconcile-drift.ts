/**
 * What SentinelOne holds in the reconciliation scale runs (issue 12): the IOCs the connector maps a synthetic feed
 * to, with a drift mix applied, as chunks for the simulator's console `add` (an upload without the rate limit:
 * same validation, defaults and clamping). Used by `test/reconcile/scale-fixture.mjs` (in-process simulators) and
 * by the bench's reconcile section (simulator processes, `/__sim/console/add`).
 *
 * - `issue`: issue 12's "done when": 10 % removed, 5 % duplicated, 5 % given another validUntil (3 days), 50
 *   orphans of our source and 50 IOCs of another source.
 * - `light`: 1 % removed, 1 % duplicated.
 */
import { mapIndicator } from "#src/mapping/ioc-builder.js";
import type { IocPayload } from "#src/sentinelone/types.js";

export type DriftMix = "issue" | "light";

type Indicator = Parameters<typeof mapIndicator>[0];

export interface DriftOptions {
  /** The feed's indicators (e.g. `syntheticIndicatorFeed(…).make(i).data`). */
  readonly count: number;
  readonly indicator: (i: number) => Indicator;
  readonly mix: DriftMix;
  readonly source: string;
  /** The mapping's clock (the feed's creation time is fine). */
  readonly now: number;
  /** IOCs per chunk (default 5,000). */
  readonly chunk?: number;
}

/** What the drift should make the reconciliation find, by category. */
export interface ExpectedDrift {
  readonly expected: number;
  readonly inSync: number;
  readonly missing: number;
  readonly duplicates: number;
  readonly stale: number;
  readonly orphans: number;
  readonly otherSource: number;
  /** Records SentinelOne holds once seeded, every source. */
  readonly held: number;
}

const ORPHANS = 50;
const DAY_MS = 86_400_000;

/** An IPv4 IOC of no indicator of the feed (`n` < 65,536). */
function orphan(n: number, source: string): IocPayload {
  return {
    type: "IPV4",
    value: `203.0.${n >> 8}.${n & 255}`,
    method: "EQUALS",
    source,
    externalId: `indicator--00000000-0000-4000-8000-${String(n).padStart(12, "0")}`,
  };
}

/** The chunks to add, and at the end (`return`) what the reconciliation should find. */
export function* driftedIocs(options: DriftOptions): Generator<IocPayload[], ExpectedDrift> {
  const { count, mix, source } = options;
  const size = options.chunk ?? 5_000;
  const soon = new Date(options.now + 3 * DAY_MS).toISOString();
  const tally = { expected: 0, inSync: 0, missing: 0, duplicates: 0, stale: 0, orphans: 0, otherSource: 0, held: 0 };
  let chunk: IocPayload[] = [];
  const push = (...iocs: IocPayload[]) => {
    chunk.push(...iocs);
    tally.held += iocs.length;
  };
  for (let i = 0; i < count; i++) {
    const mapping = mapIndicator(options.indicator(i), { source, now: options.now });
    if (mapping.kind === "skip") continue;
    const payloads = mapping.payloads;
    tally.expected += payloads.length;
    const r = mix === "issue" ? i % 20 : i % 100;
    if (mix === "issue" ? r < 2 : r === 1) tally.missing += payloads.length;
    else if (r === 2) {
      push(...payloads, ...payloads);
      tally.duplicates += payloads.length;
      tally.inSync += payloads.length;
    } else if (mix === "issue" && r === 3) {
      push(...payloads.map((p) => ({ ...p, validUntil: soon })));
      tally.stale += payloads.length;
    } else {
      push(...payloads);
      tally.inSync += payloads.length;
    }
    if (chunk.length >= size) {
      yield chunk;
      chunk = [];
    }
  }
  if (mix === "issue") {
    push(...Array.from({ length: ORPHANS }, (_, n) => orphan(n, source)));
    push(...Array.from({ length: ORPHANS }, (_, n) => orphan(n + 100, "Another feed")));
    tally.orphans = ORPHANS;
    tally.otherSource = ORPHANS;
  }
  if (chunk.length > 0) yield chunk;
  return tally;
}
