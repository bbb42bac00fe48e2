/**
 * What the benchmark puts in the OpenCTI stream.
 *
 * A backlog of N events is made of chunks of (at most) 2,000 events. Each chunk is:
 * - a block published through `/__sim/publish`: 1 % MD5 and 1 % SHA-1 indicators (supported) and 4 % indicators
 *   SentinelOne cannot take (YARA, Sigma, e-mail address, SHA-512, IPv4 CIDR, mutex), interleaved;
 * - then a lazily generated feed (`/__sim/feeds`, flat memory in the simulator) of the other 94 %: IPv4, domain,
 *   URL and SHA-256 indicators in turn.
 * So a backlog is ~96 % supported, mixed types, ~4 % skipped by the connector, and ends with a supported event
 * (once every IOC is stored, every event has been read). The feeds' seeds differ per chunk, so every indicator
 * has its own STIX id; the simulator stores duplicates (`--dedup duplicate`, its default), so 1 supported
 * event = 1 stored IOC and counts can be compared exactly.
 */
import { createHash } from "node:crypto";
import {
  createEvent,
  makeIndicator,
  type PublishedEvent,
  type StixIndicator,
  syntheticIndicatorFeed,
} from "@octi/connector-sdk-testing";
import type { OpenCtiProcess } from "./simulators.js";

export const CHUNK_EVENTS = 2_000;

export interface ChunkPlan {
  readonly feed: number;
  readonly md5: number;
  readonly sha1: number;
  readonly unsupported: number;
}

/** How a chunk of `size` events is split (rounded; the feed takes the rest). */
export function planChunk(size: number): ChunkPlan {
  const md5 = Math.round(size * 0.01);
  const sha1 = Math.round(size * 0.01);
  const unsupported = Math.round(size * 0.04);
  const feed = size - md5 - sha1 - unsupported;
  if (feed < 1) return { feed: size, md5: 0, sha1: 0, unsupported: 0 };
  return { feed, md5, sha1, unsupported };
}

export interface Composition {
  readonly events: number;
  /** Events that become an IOC (= IOCs expected in SentinelOne). */
  readonly supported: number;
  readonly unsupported: number;
  readonly byType: Readonly<Record<string, number>>;
}

export function composition(events: number): Composition {
  const byType: Record<string, number> = { IPV4: 0, DNS: 0, URL: 0, SHA256: 0, MD5: 0, SHA1: 0, unsupported: 0 };
  const feedTypes = ["IPV4", "DNS", "URL", "SHA256"] as const;
  for (let start = 0; start < events; start += CHUNK_EVENTS) {
    const plan = planChunk(Math.min(CHUNK_EVENTS, events - start));
    for (let t = 0; t < 4; t++) byType[feedTypes[t]!]! += Math.floor((plan.feed - t + 3) / 4);
    byType.MD5! += plan.md5;
    byType.SHA1! += plan.sha1;
    byType.unsupported! += plan.unsupported;
  }
  const unsupported = byType.unsupported!;
  return { events, supported: events - unsupported, unsupported, byType };
}

const hex = (algorithm: "md5" | "sha1" | "sha256" | "sha512", text: string): string =>
  createHash(algorithm).update(text).digest("hex");

/** An indicator SentinelOne cannot take, of kind `k % 6`. */
function unsupportedIndicator(k: number, seed: string, now: Date): StixIndicator {
  const tag = `${seed}:unsupported:${k}`;
  switch (k % 6) {
    case 0:
      return makeIndicator({
        pattern: `rule bench_${k} { strings: $a = "${hex("md5", tag)}" condition: $a }`,
        patternType: "yara",
        name: `bench yara ${k}`,
        seed: tag,
        now,
      });
    case 1:
      return makeIndicator({
        pattern: `title: bench ${k}\nlogsource: {product: windows}\ndetection: {sel: {CommandLine: '${k}'}, condition: sel}`,
        patternType: "sigma",
        name: `bench sigma ${k}`,
        seed: tag,
        now,
      });
    case 2:
      return makeIndicator({ pattern: `[email-addr:value = 'user${k}@bench.example']`, seed: tag, now });
    case 3:
      return makeIndicator({ pattern: `[file:hashes.'SHA-512' = '${hex("sha512", tag)}']`, seed: tag, now });
    case 4:
      return makeIndicator({ pattern: `[ipv4-addr:value = '10.${k % 250}.${(k >>> 8) % 250}.0/24']`, seed: tag, now });
    default:
      return makeIndicator({ pattern: `[mutex:name = 'Global\\\\bench-${k}']`, seed: tag, now });
  }
}

export interface Backlog {
  readonly composition: Composition;
  readonly firstEventId: string | undefined;
  readonly lastEventId: string | undefined;
  /** Milliseconds the bench took to load it into the simulator. */
  readonly loadMs: number;
  /** The STIX ids of every supported indicator (the `externalId` of the IOCs SentinelOne must hold). */
  expectedIds(): Set<string>;
}

/** Loads a backlog of `events` events into the OpenCTI simulator (see the module comment). */
export async function loadBacklog(opencti: OpenCtiProcess, events: number, seed: string): Promise<Backlog> {
  const started = Date.now();
  const now = new Date();
  const feeds: { seed: string; count: number }[] = [];
  const publishedIds: string[] = [];
  let firstEventId: string | undefined;
  let lastEventId: string | undefined;
  let unsupportedIndex = 0;
  let hashIndex = 0;
  for (let start = 0, chunk = 0; start < events; start += CHUNK_EVENTS, chunk++) {
    const plan = planChunk(Math.min(CHUNK_EVENTS, events - start));
    const block: PublishedEvent[] = [];
    const extras = plan.md5 + plan.sha1 + plan.unsupported;
    // Spread the supported hashes among the unsupported ones.
    let md5 = plan.md5;
    let sha1 = plan.sha1;
    for (let i = 0; i < extras; i++) {
      const left = extras - i;
      const pick = (i * 7919) % left;
      if (pick < md5) {
        md5--;
        const tag = `${seed}:md5:${hashIndex++}`;
        const indicator = makeIndicator({ pattern: `[file:hashes.MD5 = '${hex("md5", tag)}']`, seed: tag, now });
        publishedIds.push(indicator.id);
        block.push(createEvent(indicator));
      } else if (pick < md5 + sha1) {
        sha1--;
        const tag = `${seed}:sha1:${hashIndex++}`;
        const indicator = makeIndicator({ pattern: `[file:hashes.'SHA-1' = '${hex("sha1", tag)}']`, seed: tag, now });
        publishedIds.push(indicator.id);
        block.push(createEvent(indicator));
      } else {
        block.push(createEvent(unsupportedIndicator(unsupportedIndex++, seed, now)));
      }
    }
    if (block.length > 0) {
      const ids = await opencti.publish(block);
      firstEventId ??= ids[0];
      lastEventId = ids[ids.length - 1];
    }
    const feedSeed = `${seed}:feed:${chunk}`;
    const feed = await opencti.addFeed(plan.feed, feedSeed);
    feeds.push({ seed: feedSeed, count: plan.feed });
    firstEventId ??= feed.firstId;
    lastEventId = feed.lastId;
  }
  return {
    composition: composition(events),
    firstEventId,
    lastEventId,
    loadMs: Date.now() - started,
    expectedIds() {
      const ids = new Set(publishedIds);
      for (const feed of feeds) {
        const { make } = syntheticIndicatorFeed({ count: feed.count, seed: feed.seed });
        for (let i = 0; i < feed.count; i++) ids.add(make(i).data.id);
      }
      return ids;
    },
  };
}

/**
 * Live event number `seq`: supported types in turn (IPv4, domain, URL, SHA-256, MD5, SHA-1), each value unique.
 * The description carries the bench's clock at build time (the measured publication time is the simulator's, from
 * the event id).
 */
export function liveIndicator(seq: number, seed: string, now: Date): StixIndicator {
  const tag = `${seed}:${seq}`;
  // Domain labels and URL paths: letters, digits and hyphens only.
  const label = seed
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");
  let pattern: string;
  switch (seq % 6) {
    case 0:
      pattern = `[ipv4-addr:value = '11.${(seq >>> 16) & 255}.${(seq >>> 8) & 255}.${seq & 255}']`;
      break;
    case 1:
      pattern = `[domain-name:value = 'live-${seq}.${label}.bench.example']`;
      break;
    case 2:
      pattern = `[url:value = 'https://live.bench.example/${label}/${seq}']`;
      break;
    case 3:
      pattern = `[file:hashes.'SHA-256' = '${hex("sha256", tag)}']`;
      break;
    case 4:
      pattern = `[file:hashes.MD5 = '${hex("md5", tag)}']`;
      break;
    default:
      pattern = `[file:hashes.'SHA-1' = '${hex("sha1", tag)}']`;
      break;
  }
  return makeIndicator({
    pattern,
    seed: tag,
    now,
    description: `bench live event #${seq} (${seed}), built at ${now.toISOString()} (${now.getTime()})`,
  });
}
