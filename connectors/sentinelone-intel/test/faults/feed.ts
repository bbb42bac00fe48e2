/**
 * A deterministic (seeded) OpenCTI feed for the fault suite: indicator creates of every IOC type, multi-value OR
 * patterns, patterns that must not be pushed (yara, AND, expired, revoked), then updates (rename, new value, score,
 * revoke, un-revoke, a field SentinelOne does not hold), deletes, merges and a few non-indicator objects, mixed.
 *
 * Every step carries the oracle changes it causes. They are written here from the values this generator put in
 * the pattern (ipv4-addr → IPV4, domain-name → DNS …), never computed with the connector's mapping code, so the
 * oracle is independent of what is under test. Values are generated in their canonical spelling (lower-case hex
 * and domains, compressed IPv6), the only normalisation the connector applies.
 */
import { createHash } from "node:crypto";
import {
  createEvent,
  deleteEvent,
  makeIdentity,
  makeIndicator,
  mergeEvent,
  type PublishedEvent,
  STIX_EXT_OCTI,
  type StixIndicator,
  updateEvent,
} from "@octi/connector-sdk-testing";
import type { ExpectedIoc, OracleChange } from "./oracle.js";

export interface FeedStep {
  readonly event: PublishedEvent;
  /** Undefined for events that must not change SentinelOne (non-indicators). */
  readonly changes: readonly OracleChange[] | undefined;
  /** What the step is (for diagnostics): `create:ipv4`, `update:rename`, `delete` … */
  readonly label: string;
}

export interface FeedOptions {
  /** Number of events. */
  readonly count: number;
  /** Changes every value and id. */
  readonly seed: string;
  /** Fraction of events that create (the rest update, delete, merge). Default 0.65. */
  readonly createShare?: number;
  /** Include merges and non-indicator objects (default true). */
  readonly exotic?: boolean;
}

/** mulberry32: a small seeded PRNG (reproducible runs; the seed is printed by the tests). */
export function prng(seed: string): () => number {
  let a = createHash("sha256").update(seed).digest().readUInt32LE(0);
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Observable {
  readonly comparison: string;
  readonly ioc: ExpectedIoc;
}

interface Live {
  current: StixIndicator;
  iocs: readonly ExpectedIoc[];
  /** The IOCs of its pattern if it were not revoked (for un-revoke). */
  patternIocs: readonly ExpectedIoc[];
  revoked: boolean;
}

const PAST = "2020-01-01T00:00:00.000Z";
const PAST_END = "2020-06-01T00:00:00.000Z";

export function generateFeed(options: FeedOptions): FeedStep[] {
  const random = prng(options.seed);
  const createShare = options.createShare ?? 0.65;
  const exotic = options.exotic ?? true;
  const salt = createHash("sha256").update(options.seed).digest("hex").slice(0, 8);
  let serial = 0;
  const hash = (length: number) =>
    createHash("sha256").update(`${salt}:${serial++}`).digest("hex").repeat(2).slice(0, length);

  const observable = (): Observable => {
    const n = serial++;
    const pick = random();
    if (pick < 0.25) {
      const value = `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
      return { comparison: `ipv4-addr:value = '${value}'`, ioc: { type: "IPV4", value } };
    }
    if (pick < 0.45) {
      const value = `h${n}-${salt}.example.org`;
      return { comparison: `domain-name:value = '${value}'`, ioc: { type: "DNS", value } };
    }
    if (pick < 0.65) {
      const value = `https://files.example.net/${salt}/p/${n}?q=${n}`;
      return { comparison: `url:value = '${value}'`, ioc: { type: "URL", value } };
    }
    if (pick < 0.78) {
      const value = hash(64);
      return { comparison: `file:hashes.'SHA-256' = '${value}'`, ioc: { type: "SHA256", value } };
    }
    if (pick < 0.86) {
      const value = hash(32);
      return { comparison: `file:hashes.MD5 = '${value}'`, ioc: { type: "MD5", value } };
    }
    if (pick < 0.93) {
      const value = hash(40);
      return { comparison: `file:hashes.'SHA-1' = '${value}'`, ioc: { type: "SHA1", value } };
    }
    const value = `2001:db8:${salt.slice(0, 4)}::${n.toString(16)}`;
    return { comparison: `ipv6-addr:value = '${value}'`, ioc: { type: "IPV6", value } };
  };

  /** A pattern and the IOCs it must give (before revocation / expiry). */
  const pattern = (): { pattern: string; patternType?: string; iocs: ExpectedIoc[]; kind: string } => {
    const pick = random();
    if (pick < 0.8) {
      const o = observable();
      return { pattern: `[${o.comparison}]`, iocs: [o.ioc], kind: o.ioc.type.toLowerCase() };
    }
    if (pick < 0.9) {
      const parts = [observable(), observable(), ...(random() < 0.5 ? [observable()] : [])];
      const text =
        random() < 0.5
          ? parts.map((p) => `[${p.comparison}]`).join(" OR ")
          : `[${parts.map((p) => p.comparison).join(" OR ")}]`;
      return { pattern: text, iocs: parts.map((p) => p.ioc), kind: "or" };
    }
    if (pick < 0.95) {
      return { pattern: `rule r_${salt}_${serial++} { condition: true }`, patternType: "yara", iocs: [], kind: "yara" };
    }
    const a = observable();
    const b = observable();
    return { pattern: `[${a.comparison} AND ${b.comparison}]`, iocs: [], kind: "and" };
  };

  const steps: FeedStep[] = [];
  const live: Live[] = [];
  const liveIds = new Set<string>();
  let created = 0;

  const create = () => {
    const p = pattern();
    const flavour = random();
    const expired = flavour < 0.04;
    const revoked = !expired && flavour < 0.07;
    const indicator = makeIndicator({
      pattern: p.pattern,
      ...(p.patternType ? { patternType: p.patternType } : {}),
      seed: `${options.seed}:indicator:${created++}`,
      ...(expired ? { validFrom: PAST, validUntil: PAST_END } : {}),
      ...(revoked ? { revoked: true } : {}),
      score: 10 + Math.floor(random() * 90),
    });
    const iocs = expired || revoked ? [] : p.iocs;
    live.push({ current: indicator, iocs, patternIocs: expired ? [] : p.iocs, revoked });
    liveIds.add(indicator.id);
    steps.push({
      event: createEvent(indicator),
      changes: [{ externalId: indicator.id, iocs }],
      label: `create:${expired ? "expired" : revoked ? "revoked" : p.kind}`,
    });
  };

  const takeLive = (): Live | undefined => {
    for (let tries = 0; tries < 8 && live.length > 0; tries++) {
      const index = Math.floor(random() * live.length);
      const entry = live[index]!;
      if (liveIds.has(entry.current.id)) return entry;
      live.splice(index, 1);
    }
    return undefined;
  };

  const update = (entry: Live) => {
    const before = entry.current;
    const pick = random();
    let after: StixIndicator;
    let label: string;
    if (entry.revoked && pick < 0.5) {
      after = { ...before, revoked: false };
      entry.revoked = false;
      entry.iocs = entry.patternIocs;
      label = "update:unrevoke";
    } else if (pick < 0.3) {
      after = { ...before, name: `${before.name} (renamed ${serial++})` };
      label = "update:rename";
    } else if (pick < 0.5) {
      const p = pattern();
      after = {
        ...before,
        pattern: p.pattern,
        pattern_type: p.patternType ?? "stix",
      };
      entry.patternIocs = before.valid_until < new Date().toISOString() ? [] : p.iocs;
      entry.iocs = entry.revoked ? [] : entry.patternIocs;
      label = `update:pattern:${p.kind}`;
    } else if (pick < 0.65) {
      after = { ...before, revoked: true };
      entry.revoked = true;
      entry.iocs = [];
      label = "update:revoke";
    } else if (pick < 0.8) {
      const ext = before.extensions[STIX_EXT_OCTI];
      after = {
        ...before,
        extensions: { ...before.extensions, [STIX_EXT_OCTI]: { ...ext, score: (ext.score + 37) % 100 } },
      };
      label = "update:score";
    } else {
      // Not a field SentinelOne holds: the connector makes no request, the IOCs stay.
      after = { ...before, confidence: (before.confidence + 7) % 100 };
      label = "update:irrelevant";
    }
    entry.current = after;
    steps.push({ event: updateEvent(before, after), changes: [{ externalId: after.id, iocs: entry.iocs }], label });
  };

  const remove = (entry: Live) => {
    liveIds.delete(entry.current.id);
    steps.push({
      event: deleteEvent(entry.current),
      changes: [{ externalId: entry.current.id, iocs: [] }],
      label: "delete",
    });
  };

  const merge = () => {
    const target = takeLive();
    const source = takeLive();
    if (!target || !source || target === source) return false;
    liveIds.delete(source.current.id);
    steps.push({
      event: mergeEvent(target.current, [source.current]),
      changes: [
        { externalId: source.current.id, iocs: [] },
        { externalId: target.current.id, iocs: target.iocs },
      ],
      label: "merge",
    });
    return true;
  };

  while (steps.length < options.count) {
    const pick = random();
    if (pick < createShare || liveIds.size < 5) {
      create();
      continue;
    }
    const rest = (pick - createShare) / (1 - createShare);
    if (exotic && rest < 0.04) {
      steps.push({
        event: createEvent(makeIdentity({ name: `Org ${salt} ${serial++}` })),
        changes: undefined,
        label: "identity",
      });
      continue;
    }
    if (exotic && rest < 0.08) {
      if (!merge()) create();
      continue;
    }
    const entry = takeLive();
    if (!entry) {
      create();
      continue;
    }
    if (rest < 0.7) update(entry);
    else remove(entry);
  }
  return steps;
}

/** Step counts by label prefix (`create`, `update`, `delete` …), for reports. */
export function feedCounts(steps: readonly FeedStep[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const step of steps) {
    const kind = step.label.split(":")[0]!;
    out[kind] = (out[kind] ?? 0) + 1;
  }
  return out;
}
