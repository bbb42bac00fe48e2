/**
 * The demo's feed: a deterministic list of OpenCTI stream steps (creates, malformed messages, updates,
 * revocations, deletions) over `size` indicators of every kind the connector supports and a few it does not.
 *
 * Each indicator carries, from the way it was generated, the IOCs SentinelOne should hold for it. The expected
 * final IOC set is computed from these definitions alone (`expectedIocs`), never from the connector's code, so
 * the demo checks the connector instead of repeating it.
 */
import { createHash } from "node:crypto";

/** SentinelOne IOC types. */
export type S1Type = "DNS" | "IPV4" | "IPV6" | "MD5" | "SHA1" | "SHA256" | "URL";

export interface ExpectedIoc {
  readonly externalId: string;
  readonly type: S1Type;
  readonly value: string;
}

/** How an indicator was generated: one row per kind. */
export type IndicatorKind =
  | "md5"
  | "sha1"
  | "sha256"
  | "url"
  | "domain"
  | "ipv4"
  | "ipv6"
  | "or-comparison"
  | "or-observation"
  | "yara"
  | "and"
  | "sha512"
  | "email"
  | "cidr";

export interface FeedIndicator {
  /** STIX id, `indicator--<uuid>`; the IOCs' `externalId`. */
  readonly id: string;
  readonly kind: IndicatorKind;
  readonly name: string;
  readonly pattern: string;
  readonly patternType: string;
  readonly score: number;
  readonly labels: readonly string[];
  readonly description: string;
  /** What SentinelOne should hold while the indicator is live (empty for an unsupported one). */
  readonly iocs: readonly { readonly type: S1Type; readonly value: string }[];
}

/** A change of an indicator already created. */
export interface IndicatorChange {
  readonly name?: string;
  readonly score?: number;
  readonly revoked?: boolean;
}

export type FeedStep =
  | { readonly action: "create"; readonly indicator: FeedIndicator }
  | {
      readonly action: "update";
      readonly indicator: FeedIndicator;
      readonly change: IndicatorChange;
      /** Human text as OpenCTI writes it in the envelope `message`. */
      readonly message: string;
    }
  | { readonly action: "delete"; readonly indicator: FeedIndicator }
  /** `sources` are merged into `indicator` (OpenCTI keeps the target and deletes the sources). */
  | {
      readonly action: "merge";
      readonly indicator: FeedIndicator;
      readonly sources: readonly FeedIndicator[];
      /** Labels the target has after the merge (it gains the sources' labels). */
      readonly labels: readonly string[];
    }
  /** A message the connector cannot use: the SSE event name and the raw `data:` text. */
  | { readonly action: "malformed"; readonly event: string; readonly data: string; readonly why: string };

export interface DemoFeed {
  readonly indicators: readonly FeedIndicator[];
  readonly steps: readonly FeedStep[];
}

export const SUPPORTED_KINDS: readonly IndicatorKind[] = [
  "md5",
  "sha1",
  "sha256",
  "url",
  "domain",
  "ipv4",
  "ipv6",
  "or-comparison",
  "or-observation",
];
export const UNSUPPORTED_KINDS: readonly IndicatorKind[] = ["yara", "and", "sha512", "email", "cidr"];

/**
 * Share of each kind: supported kinds dominate, as in a real feed; every kind appears once the feed has at
 * least as many indicators as the cycle is long (23).
 */
const CYCLE: readonly IndicatorKind[] = [
  "ipv4",
  "domain",
  "url",
  "sha256",
  "md5",
  "sha1",
  "ipv4",
  "domain",
  "url",
  "sha256",
  "ipv6",
  "or-comparison",
  "sha256",
  "ipv4",
  "or-observation",
  "md5",
  "yara",
  "and",
  "url",
  "domain",
  "sha512",
  "email",
  "cidr",
];

/** Hash-key spellings OpenCTI users have in their patterns (canonical, quoted, legacy, lower case). */
const MD5_KEYS = ["MD5", "'MD5'"];
const SHA1_KEYS = ["'SHA-1'", "SHA-1", "SHA1", "sha1"];
const SHA256_KEYS = ["'SHA-256'", "SHA-256", "SHA256", "sha256"];

function hex(seed: string, length: number): string {
  let out = "";
  for (let n = 0; out.length < length; n++) out += createHash("sha256").update(`${seed}/${n}`).digest("hex");
  return out.slice(0, length);
}

/** A stable `indicator--<uuid v4 layout>` for a seed. */
export function indicatorId(seed: string): string {
  const h = hex(`id:${seed}`, 32);
  const variant = ((Number.parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  return `indicator--${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function pick<T>(list: readonly T[], i: number): T {
  return list[i % list.length]!;
}

function ipv4(i: number): string {
  // 10.0.0.0/8 with last octets 1..254: unique for i < 16 million.
  const host = (i % 254) + 1;
  const rest = Math.floor(i / 254);
  return `10.${(rest >> 8) & 0xff}.${rest & 0xff}.${host}`;
}

function ipv6(i: number): string {
  // RFC 5952 canonical form (lower case, no leading zeros), documentation prefix.
  return `2001:db8::${(i + 1).toString(16)}:${((i % 4096) + 1).toString(16)}`;
}

function domain(i: number): string {
  return `c2-${i}.malicious-demo.example`;
}

function url(i: number): string {
  return `http://dl-${i}.payload-demo.example/drop/${hex(`u${i}`, 8)}.bin`;
}

/** One indicator of `kind`, numbered `i` (unique values across the feed). */
export function makeFeedIndicator(kind: IndicatorKind, i: number, seed = "demo"): FeedIndicator {
  const id = indicatorId(`${seed}:${i}`);
  const base = {
    id,
    kind,
    patternType: "stix",
    score: 40 + (i % 6) * 10,
    labels: i % 3 === 0 ? ["malicious-activity", "demo"] : ["demo"],
    description: `Demo indicator ${i} (${kind})`,
  };
  switch (kind) {
    case "md5": {
      const v = hex(`md5:${seed}:${i}`, 32);
      return {
        ...base,
        name: v,
        pattern: `[file:hashes.${pick(MD5_KEYS, i)} = '${v}']`,
        iocs: [{ type: "MD5", value: v }],
      };
    }
    case "sha1": {
      const v = hex(`sha1:${seed}:${i}`, 40);
      return {
        ...base,
        name: v,
        pattern: `[file:hashes.${pick(SHA1_KEYS, i)} = '${v}']`,
        iocs: [{ type: "SHA1", value: v }],
      };
    }
    case "sha256": {
      const v = hex(`sha256:${seed}:${i}`, 64);
      return {
        ...base,
        name: v,
        pattern: `[file:hashes.${pick(SHA256_KEYS, i)} = '${v}']`,
        iocs: [{ type: "SHA256", value: v }],
      };
    }
    case "url": {
      const v = url(i);
      return { ...base, name: v, pattern: `[url:value = '${v}']`, iocs: [{ type: "URL", value: v }] };
    }
    case "domain": {
      const v = domain(i);
      return { ...base, name: v, pattern: `[domain-name:value = '${v}']`, iocs: [{ type: "DNS", value: v }] };
    }
    case "ipv4": {
      const v = ipv4(i);
      return { ...base, name: v, pattern: `[ipv4-addr:value = '${v}']`, iocs: [{ type: "IPV4", value: v }] };
    }
    case "ipv6": {
      const v = ipv6(i);
      return { ...base, name: v, pattern: `[ipv6-addr:value = '${v}']`, iocs: [{ type: "IPV6", value: v }] };
    }
    case "or-comparison": {
      // Two addresses of one host inside one observation: `[a OR b]`.
      const a = ipv4(i);
      const b = ipv4(i + 8_000_000); // a different /16 than every single address
      return {
        ...base,
        name: `${a} / ${b}`,
        pattern: `[ipv4-addr:value = '${a}' OR ipv4-addr:value = '${b}']`,
        iocs: [
          { type: "IPV4", value: a },
          { type: "IPV4", value: b },
        ],
      };
    }
    case "or-observation": {
      // Two observations joined by OR: either one is enough, so both become IOCs.
      const d = domain(i);
      const u = url(i);
      return {
        ...base,
        name: `${d} or ${u}`,
        pattern: `[domain-name:value = '${d}'] OR [url:value = '${u}']`,
        iocs: [
          { type: "DNS", value: d },
          { type: "URL", value: u },
        ],
      };
    }
    case "yara":
      return {
        ...base,
        name: `YARA rule demo_${i}`,
        patternType: "yara",
        pattern: `rule demo_${i} { strings: $a = "evil-${i}" condition: $a }`,
        iocs: [],
      };
    case "and": {
      const v = hex(`and:${seed}:${i}`, 32);
      return {
        ...base,
        name: `dropper ${i}`,
        pattern: `[file:hashes.MD5 = '${v}' AND file:name = 'dropper-${i}.exe']`,
        iocs: [],
      };
    }
    case "sha512": {
      const v = hex(`sha512:${seed}:${i}`, 128);
      return { ...base, name: v.slice(0, 32), pattern: `[file:hashes.'SHA-512' = '${v}']`, iocs: [] };
    }
    case "cidr": {
      // A network block: SentinelOne IPV4 IOCs are single addresses, so the connector refuses the value.
      const v = `10.200.${i % 256}.0/24`;
      return { ...base, name: v, pattern: `[ipv4-addr:value = '${v}']`, iocs: [] };
    }
    case "email": {
      const v = `phish-${i}@malicious-demo.example`;
      return { ...base, name: v, pattern: `[email-addr:value = '${v}']`, iocs: [] };
    }
  }
}

export interface FeedOptions {
  /** Number of indicators (default 3000). */
  readonly size?: number;
  /** Changes every value and id (default "demo"). */
  readonly seed?: string;
}

/**
 * The feed, in stream order:
 * 1. a `create` per indicator, with three malformed messages among them;
 * 2. updates: every 10th indicator gets a new name and score (the connector replaces its IOCs);
 * 3. merges: every 40th (offset 19) absorbs the next indicator (the source's IOCs must go, the target's stay);
 * 4. revocations: every 20th (offset 7) gets `revoked: true` (its IOCs must go);
 * 5. deletions: every 25th (offset 11) and every 50th (offset 3, already updated) are deleted.
 * The sets of 3, 4 and 5 are disjoint, and no merge source is touched by any other step.
 */
export function buildDemoFeed(options: FeedOptions = {}): DemoFeed {
  const size = Math.max(1, Math.floor(options.size ?? 3000));
  const seed = options.seed ?? "demo";
  const indicators = Array.from({ length: size }, (_, i) => makeFeedIndicator(pick(CYCLE, i), i, seed));
  const steps: FeedStep[] = [];
  const malformedAt = new Set([Math.floor(size / 4), Math.floor(size / 2), Math.floor((3 * size) / 4)]);
  let malformedCount = 0;
  indicators.forEach((indicator, i) => {
    steps.push({ action: "create", indicator });
    if (malformedAt.has(i)) steps.push(malformedStep(malformedCount++, seed));
  });
  indicators.forEach((indicator, i) => {
    if (i % 10 !== 3) return;
    const score = Math.min(100, indicator.score + 25);
    steps.push({
      action: "update",
      indicator,
      change: { name: `${indicator.name} (reviewed)`, score },
      message: `replaces \`${indicator.score}\` with \`${score}\` in \`Score\``,
    });
  });
  indicators.forEach((indicator, i) => {
    const source = indicators[i + 1];
    if (i % 40 !== 19 || !source) return;
    steps.push({
      action: "merge",
      indicator,
      sources: [source],
      labels: [...new Set([...indicator.labels, ...source.labels, "merged"])],
    });
  });
  indicators.forEach((indicator, i) => {
    if (i % 20 !== 7) return;
    steps.push({
      action: "update",
      indicator,
      change: { revoked: true },
      message: "replaces `false` with `true` in `Revoked`",
    });
  });
  indicators.forEach((indicator, i) => {
    if (i % 25 === 11 || i % 50 === 3) steps.push({ action: "delete", indicator });
  });
  return { indicators, steps };
}

function malformedStep(n: number, seed: string): FeedStep {
  switch (n % 3) {
    case 0:
      return {
        action: "malformed",
        event: "create",
        data: '{"version":"4","type":"create","data":{',
        why: "truncated JSON",
      };
    case 1:
      return {
        action: "malformed",
        event: "create",
        data: JSON.stringify({
          version: "4",
          type: "create",
          message: "creates a Indicator",
          origin: {},
          data: { type: "indicator", pattern: "[ipv4-addr:value = '10.255.255.1']", pattern_type: "stix" },
        }),
        why: "STIX object without id",
      };
    default:
      return {
        action: "malformed",
        event: "update",
        data: JSON.stringify({
          version: "4",
          type: "update",
          message: `broken ${seed}`,
          origin: {},
          data: "not an object",
        }),
        why: "data is not an object",
      };
  }
}

export function iocKey(ioc: {
  readonly externalId?: string | null;
  readonly type: string;
  readonly value: string;
}): string {
  return `${ioc.externalId ?? ""}\u0000${ioc.type}\u0000${ioc.value}`;
}

/**
 * What SentinelOne must hold once the whole feed is handled: the IOCs of every supported indicator that was
 * created and neither revoked, deleted nor merged into another one afterwards (updates of name, score or labels
 * keep the same IOC identities).
 */
export function expectedIocs(feed: DemoFeed): ExpectedIoc[] {
  const live = new Map<string, FeedIndicator>();
  for (const step of feed.steps) {
    if (step.action === "create") live.set(step.indicator.id, step.indicator);
    else if (step.action === "delete") live.delete(step.indicator.id);
    else if (step.action === "update" && step.change.revoked === true) live.delete(step.indicator.id);
    else if (step.action === "merge") for (const source of step.sources) live.delete(source.id);
  }
  const out: ExpectedIoc[] = [];
  for (const indicator of live.values()) {
    for (const ioc of indicator.iocs) out.push({ externalId: indicator.id, type: ioc.type, value: ioc.value });
  }
  return out;
}

export interface IocComparison {
  readonly expected: number;
  readonly actual: number;
  /** Expected but absent from SentinelOne. */
  readonly missing: ExpectedIoc[];
  /** In SentinelOne but not expected (including duplicates of an expected IOC). */
  readonly unexpected: ExpectedIoc[];
  readonly equal: boolean;
}

/** Multiset comparison on (externalId, type, value). */
export function compareIocs(
  expected: readonly ExpectedIoc[],
  actual: readonly { readonly externalId?: string | null; readonly type: string; readonly value: string }[],
): IocComparison {
  const want = new Map<string, { ioc: ExpectedIoc; count: number }>();
  for (const ioc of expected) {
    const entry = want.get(iocKey(ioc));
    if (entry) entry.count++;
    else want.set(iocKey(ioc), { ioc, count: 1 });
  }
  const unexpected: ExpectedIoc[] = [];
  for (const ioc of actual) {
    const entry = want.get(iocKey(ioc));
    if (entry && entry.count > 0) entry.count--;
    else unexpected.push({ externalId: ioc.externalId ?? "", type: ioc.type as S1Type, value: ioc.value });
  }
  const missing: ExpectedIoc[] = [];
  for (const { ioc, count } of want.values()) for (let n = 0; n < count; n++) missing.push(ioc);
  return {
    expected: expected.length,
    actual: actual.length,
    missing,
    unexpected,
    equal: missing.length === 0 && unexpected.length === 0,
  };
}

/** What the feed sends, counted as the connector counts what it receives: by SSE event name. */
export interface FeedEvents {
  /** Events by SSE event name (`create`, `update`, `merge`, `delete`); malformed ones under the name they carry. */
  readonly byEvent: Readonly<Record<string, number>>;
  /** Of the `update` events, those revoking the indicator. */
  readonly revocations: number;
  /** Of all events, those whose data cannot be read. */
  readonly malformed: number;
}

export function feedEvents(feed: DemoFeed): FeedEvents {
  const byEvent: Record<string, number> = {};
  let revocations = 0;
  let malformed = 0;
  for (const step of feed.steps) {
    const event = step.action === "malformed" ? step.event : step.action;
    byEvent[event] = (byEvent[event] ?? 0) + 1;
    if (step.action === "update" && step.change.revoked) revocations++;
    if (step.action === "malformed") malformed++;
  }
  return { byEvent, revocations, malformed };
}
