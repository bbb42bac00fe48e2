import { createHash } from "node:crypto";
import type { StixObject, StreamAction } from "@octi/connector-sdk";
import { OPENCTI_ADMIN_USER_ID, STIX_EXT_OCTI } from "./constants.js";
import { comparePatch, type JsonPatchOperation } from "./json-patch.js";

/**
 * STIX objects shaped as OpenCTI 6.9 puts them in the live stream (opencti-platform.md §2), and the event
 * envelopes the simulator publishes. Ids are deterministic: from `seed` when given, else (like OpenCTI's
 * standard ids) from the pattern, so a test or benchmark run is reproducible.
 */

/** OASIS' STIX namespace, which OpenCTI uses for its UUIDv5 standard ids. */
const OASIS_NAMESPACE = "00abedb4-aa42-466c-9c01-fed23315a9b7";

/** The OpenCTI property extension of any object. */
export interface OctiExtension {
  readonly extension_type: "property-extension";
  /** Internal id (a UUID): what GraphQL accepts. */
  readonly id: string;
  /** Entity type, e.g. `Indicator`. */
  readonly type: string;
  readonly created_at: string;
  readonly updated_at: string;
  readonly is_inferred: boolean;
  readonly creator_ids: readonly string[];
  readonly [key: string]: unknown;
}

export interface IndicatorExtension extends OctiExtension {
  readonly labels_ids?: readonly string[];
  readonly detection: boolean;
  readonly score: number;
  readonly main_observable_type: string;
  readonly observable_values?: readonly Record<string, unknown>[];
}

/** A STIX 2.1 indicator as OpenCTI streams it. */
export interface StixIndicator extends StixObject {
  readonly id: string;
  readonly spec_version: "2.1";
  readonly type: "indicator";
  readonly extensions: { readonly [STIX_EXT_OCTI]: IndicatorExtension; readonly [key: string]: unknown };
  readonly created: string;
  readonly modified: string;
  readonly revoked: boolean;
  readonly confidence: number;
  readonly lang: string;
  readonly labels: readonly string[];
  readonly name: string;
  readonly description?: string;
  readonly indicator_types: readonly string[];
  readonly pattern: string;
  readonly pattern_type: string;
  readonly pattern_version: string;
  readonly valid_from: string;
  readonly valid_until: string;
  readonly created_by_ref?: string;
  readonly object_marking_refs: readonly string[];
  readonly kill_chain_phases: readonly unknown[];
}

export interface IndicatorOptions {
  readonly pattern: string;
  /** Default: the first observable value of the pattern, else the pattern. */
  readonly name?: string;
  /** Default: `Simple indicator of observable {<value>}` when the pattern has one value, else none. */
  readonly description?: string;
  /** OpenCTI score (in the extension), default 50. */
  readonly score?: number;
  readonly validFrom?: string | Date;
  /** Default: validFrom + 90 days; pushed one second past validFrom when equal, as OpenCTI does. */
  readonly validUntil?: string | Date;
  readonly revoked?: boolean;
  readonly labels?: readonly string[];
  /** `stix` (default), `yara`, `sigma`, `snort`, `suricata`, `pcre`, `sentinel-one`… */
  readonly patternType?: string;
  /** Alias of `patternType`. */
  readonly pattern_type?: string;
  /** STIX id; default derived from `seed`, else from the pattern (OpenCTI's UUIDv5 standard id). */
  readonly id?: string;
  /** Makes `id`, the internal id and label ids reproducible for the same seed. */
  readonly seed?: string;
  readonly detection?: boolean;
  /** Default: from the pattern's first object type (`IPv4-Addr`, `StixFile`…), `Unknown` otherwise. */
  readonly mainObservableType?: string;
  readonly confidence?: number;
  readonly indicatorTypes?: readonly string[];
  readonly createdByRef?: string;
  readonly markings?: readonly string[];
  /** `created` / `created_at` (default: `now`). */
  readonly created?: string | Date;
  /** `modified` / `updated_at` (default: `created`). */
  readonly modified?: string | Date;
  /** Clock for the defaults (default: the current time). */
  readonly now?: Date;
  readonly isInferred?: boolean;
}

/** 32 hex digits of a hash of `text`. */
function hashHex(algorithm: "sha1" | "sha256", ...parts: (string | Buffer)[]): string {
  const hash = createHash(algorithm);
  for (const part of parts) hash.update(part);
  return hash.digest("hex");
}

function formatUuid(hex: string, version: number): string {
  const chars = hex.slice(0, 32).split("");
  chars[12] = version.toString(16);
  chars[16] = ((Number.parseInt(chars[16]!, 16) & 0x3) | 0x8).toString(16);
  const h = chars.join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** RFC 4122 UUIDv5 of `name` in `namespace`. */
export function uuidV5(name: string, namespace: string = OASIS_NAMESPACE): string {
  const ns = Buffer.from(namespace.replace(/-/g, ""), "hex");
  return formatUuid(hashHex("sha1", ns, Buffer.from(name, "utf8")), 5);
}

/** A UUID with version-4 layout, deterministic for a seed (not random: reproducible test data). */
export function seededUuid(seed: string): string {
  return formatUuid(hashHex("sha256", seed), 4);
}

/** OpenCTI's standard id of an indicator: UUIDv5 of `{"pattern": …}`. */
export function indicatorStandardId(pattern: string): string {
  return `indicator--${uuidV5(JSON.stringify({ pattern }))}`;
}

const OBSERVABLE_TYPES: Readonly<Record<string, string>> = {
  artifact: "Artifact",
  "autonomous-system": "Autonomous-System",
  "cryptocurrency-wallet": "Cryptocurrency-Wallet",
  directory: "Directory",
  "domain-name": "Domain-Name",
  "email-addr": "Email-Addr",
  "email-message": "Email-Message",
  file: "StixFile",
  hostname: "Hostname",
  "ipv4-addr": "IPv4-Addr",
  "ipv6-addr": "IPv6-Addr",
  "mac-addr": "Mac-Addr",
  mutex: "Mutex",
  "network-traffic": "Network-Traffic",
  process: "Process",
  software: "Software",
  url: "Url",
  "user-account": "User-Account",
  "windows-registry-key": "Windows-Registry-Key",
  "x509-certificate": "X509-Certificate",
};

const COMPARISON = /([a-z0-9][a-z0-9-]*):([A-Za-z0-9_.'-]+)\s*=\s*'((?:[^'\\]|\\.)*)'/g;

interface PatternFacts {
  readonly mainObservableType: string | undefined;
  readonly values: Record<string, unknown>[];
}

/** The observable type and values of a simple STIX pattern (OpenCTI's `observable_values`). */
function patternFacts(pattern: string): PatternFacts {
  const values: Record<string, unknown>[] = [];
  let main: string | undefined;
  for (const match of pattern.matchAll(COMPARISON)) {
    const octiType = OBSERVABLE_TYPES[match[1]!];
    if (!octiType) continue;
    main ??= octiType;
    const path = match[2]!;
    const value = match[3]!.replace(/\\(.)/g, "$1");
    if (path === "value") values.push({ type: octiType, value });
    else if (path.startsWith("hashes.")) {
      values.push({ type: octiType, hashes: { [path.slice(7).replace(/^'|'$/g, "")]: value } });
    }
  }
  return { mainObservableType: main, values };
}

const iso = (value: string | Date): string => (typeof value === "string" ? value : value.toISOString());
const DAY_MS = 86_400_000;

/** A STIX indicator exactly as OpenCTI 6.9 streams it (opencti-platform.md §2). */
export function makeIndicator(options: IndicatorOptions): StixIndicator {
  const pattern = options.pattern;
  const patternType = options.patternType ?? options.pattern_type ?? "stix";
  const facts = patternType === "stix" ? patternFacts(pattern) : { mainObservableType: undefined, values: [] };
  const seed = options.seed ?? `pattern:${pattern}`;
  const now = options.now ?? new Date();
  const created = iso(options.created ?? now);
  const modified = iso(options.modified ?? created);
  const validFrom = iso(options.validFrom ?? created);
  let validUntil = iso(options.validUntil ?? new Date(Date.parse(validFrom) + 90 * DAY_MS));
  if (Date.parse(validUntil) === Date.parse(validFrom))
    validUntil = new Date(Date.parse(validFrom) + 1000).toISOString();
  const labels = [...(options.labels ?? [])];
  const firstValue =
    facts.values.length === 1 && typeof facts.values[0]!.value === "string" ? facts.values[0]!.value : undefined;
  const description =
    options.description ?? (firstValue !== undefined ? `Simple indicator of observable {${firstValue}}` : undefined);
  const extension: IndicatorExtension = {
    extension_type: "property-extension",
    id: seededUuid(`internal:${seed}`),
    type: "Indicator",
    created_at: created,
    updated_at: modified,
    is_inferred: options.isInferred ?? false,
    creator_ids: [OPENCTI_ADMIN_USER_ID],
    ...(labels.length > 0 ? { labels_ids: labels.map((l) => seededUuid(`label:${l}`)) } : {}),
    detection: options.detection ?? false,
    score: options.score ?? 50,
    main_observable_type: options.mainObservableType ?? facts.mainObservableType ?? "Unknown",
    ...(facts.values.length > 0 ? { observable_values: facts.values } : {}),
  };
  return {
    id:
      options.id ??
      (options.seed !== undefined ? `indicator--${seededUuid(`stix:${seed}`)}` : indicatorStandardId(pattern)),
    spec_version: "2.1",
    type: "indicator",
    extensions: { [STIX_EXT_OCTI]: extension },
    created,
    modified,
    revoked: options.revoked ?? false,
    confidence: options.confidence ?? 100,
    lang: "en",
    labels,
    name: options.name ?? firstValue ?? pattern,
    ...(description !== undefined ? { description } : {}),
    indicator_types: [...(options.indicatorTypes ?? ["malicious-activity"])],
    pattern,
    pattern_type: patternType,
    pattern_version: "2.1",
    valid_from: validFrom,
    valid_until: validUntil,
    ...(options.createdByRef !== undefined ? { created_by_ref: options.createdByRef } : {}),
    object_marking_refs: [...(options.markings ?? [])],
    kill_chain_phases: [],
  };
}

/** An organization (`identity`), e.g. the author sent as a dependency ahead of an indicator. */
export function makeIdentity(options: {
  readonly name: string;
  readonly seed?: string;
  readonly now?: Date;
}): StixObject {
  const at = (options.now ?? new Date()).toISOString();
  const seed = options.seed ?? `identity:${options.name}`;
  return {
    id: `identity--${uuidV5(JSON.stringify({ identity_class: "organization", name: options.name.toLowerCase() }))}`,
    spec_version: "2.1",
    type: "identity",
    extensions: {
      [STIX_EXT_OCTI]: {
        extension_type: "property-extension",
        id: seededUuid(`internal:${seed}`),
        type: "Organization",
        created_at: at,
        updated_at: at,
        is_inferred: false,
        creator_ids: [OPENCTI_ADMIN_USER_ID],
      },
    },
    created: at,
    modified: at,
    revoked: false,
    confidence: 100,
    lang: "en",
    name: options.name,
    identity_class: "organization",
  };
}

/** STIX 2.1's TLP marking definitions (fixed ids). */
const TLP_IDS = {
  "TLP:CLEAR": "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9",
  "TLP:GREEN": "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da",
  "TLP:AMBER": "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82",
  "TLP:RED": "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed",
} as const;

export type TlpLevel = keyof typeof TLP_IDS;

/** A TLP marking definition, e.g. a dependency of an indicator's `object_marking_refs`. */
export function makeTlpMarking(level: TlpLevel): StixObject {
  const at = "2024-01-01T00:00:00.000Z";
  return {
    id: TLP_IDS[level],
    spec_version: "2.1",
    type: "marking-definition",
    extensions: {
      [STIX_EXT_OCTI]: {
        extension_type: "property-extension",
        id: seededUuid(`marking:${level}`),
        type: "Marking-Definition",
        created_at: at,
        updated_at: at,
        is_inferred: false,
        creator_ids: [OPENCTI_ADMIN_USER_ID],
      },
    },
    created: at,
    modified: at,
    name: level,
    definition_type: "TLP",
    definition: { tlp: level.slice(4).toLowerCase() },
  };
}

/** What `OpenCtiSimulator.publish` takes: one event as OpenCTI stores it in its Redis stream. */
export interface PublishedEvent {
  /** The action (SSE `event:` name). */
  readonly event: StreamAction;
  /** The STIX object (after the change; for `delete`, as it was). */
  readonly data: StixObject;
  /** Default: generated (``creates a Indicator `…` ``). */
  readonly message?: string;
  /** Default: an admin user's API origin. */
  readonly origin?: Readonly<Record<string, unknown>>;
  /** `update`: `{patch, reverse_patch}`; `merge`: `{patch, reverse_patch, sources}`. */
  readonly context?: Readonly<Record<string, unknown>>;
  /**
   * Objects sent first (as `create`, same SSE id, `origin.referer: "init-dependencies"`) when this connection has not
   * sent them yet: referenced objects (author identity, markings…) always, as OpenCTI's `resolveAndPublishMissingRefs`;
   * relationships and sightings (core relationships) only without `no-dependencies`.
   */
  readonly dependencies?: readonly StixObject[];
  /** Only sent to connections with `with-inferences: true` (also read from the extension's `is_inferred`). */
  readonly inferred?: boolean;
  /** Envelope `scope`, default `external`; `internal` events are never streamed. */
  readonly scope?: "external" | "internal";
  /** Envelope `type`, default `event`. */
  readonly type?: string;
  /** Envelope `version`, default `"4"`; events below 4 are not streamed on live routes. */
  readonly version?: string;
  /** Extra envelope keys (`commit`, `noHistory`, `event_id`…). */
  readonly extra?: Readonly<Record<string, unknown>>;
}

type EventExtras = Omit<Partial<PublishedEvent>, "event" | "data">;

/** Entity type and display name used in OpenCTI's messages. */
export function entityLabel(stix: StixObject): { type: string; name: string } {
  const ext = (stix.extensions as Record<string, Record<string, unknown> | undefined> | undefined)?.[STIX_EXT_OCTI];
  const type =
    typeof ext?.type === "string"
      ? ext.type
      : stix.type.replace(/(^|-)([a-z])/g, (_m, dash: string, c: string) => dash + c.toUpperCase());
  const name = typeof stix.name === "string" ? stix.name : typeof stix.pattern === "string" ? stix.pattern : stix.id;
  return { type, name };
}

export function createMessage(stix: StixObject): string {
  const { type, name } = entityLabel(stix);
  return `creates a ${type} \`${name}\``;
}

export function deleteMessage(stix: StixObject): string {
  const { type, name } = entityLabel(stix);
  return `deletes a ${type} \`${name}\``;
}

export function createEvent(data: StixObject, extras: EventExtras = {}): PublishedEvent {
  return { event: "create", data, message: createMessage(data), ...extras };
}

export function deleteEvent(data: StixObject, extras: EventExtras = {}): PublishedEvent {
  return { event: "delete", data, message: deleteMessage(data), ...extras };
}

/** Fields that OpenCTI leaves out of update messages. */
const SILENT_FIELDS = new Set(["modified", "updated_at"]);

const humanize = (field: string): string => {
  const words = field.replace(/^x_opencti_/, "").replace(/_/g, " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
};

const show = (value: unknown): string => (typeof value === "string" ? value : JSON.stringify(value));

function valueAt(document: unknown, path: string): unknown {
  let node: unknown = document;
  for (const raw of path.split("/").slice(1)) {
    const token = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    node = typeof node === "object" && node !== null ? (node as Record<string, unknown>)[token] : undefined;
  }
  return node;
}

/** OpenCTI-like update message: ``replaces `false` with `true` in `Revoked` `` (one part per changed field). */
export function updateMessage(before: StixObject, patch: readonly JsonPatchOperation[]): string {
  const parts: string[] = [];
  for (const op of patch) {
    const tokens = op.path.split("/").slice(1);
    const field = [...tokens].reverse().find((t) => !/^\d+$/.test(t)) ?? "";
    if (SILENT_FIELDS.has(field) || field === "") continue;
    const label = humanize(field);
    if (op.op === "replace")
      parts.push(`replaces \`${show(valueAt(before, op.path))}\` with \`${show(op.value)}\` in \`${label}\``);
    else if (op.op === "add") parts.push(`adds \`${show(op.value)}\` in \`${label}\``);
    else if (op.op === "remove") parts.push(`removes \`${show(valueAt(before, op.path))}\` in \`${label}\``);
  }
  return parts.length > 0 ? parts.join(" | ") : `updates a ${entityLabel(before).type} \`${entityLabel(before).name}\``;
}

/**
 * An `update` event: `data` is `after`, `context.patch` turns `before` into `after` and `context.reverse_patch`
 * turns `after` back into `before` (RFC 6902, nested objects compared key by key).
 */
export function updateEvent(
  before: StixObject,
  after: StixObject,
  message?: string,
  extras: EventExtras = {},
): PublishedEvent {
  const patch = comparePatch(before, after);
  const reversePatch = comparePatch(after, before);
  return {
    event: "update",
    data: after,
    message: message ?? updateMessage(before, patch),
    context: { patch, reverse_patch: reversePatch },
    ...extras,
  };
}

/** A `merge` event: `sources` were merged into `target` (they are gone afterwards). */
export function mergeEvent(
  target: StixObject,
  sources: readonly StixObject[],
  previousTarget: StixObject = target,
  extras: EventExtras = {},
): PublishedEvent {
  const { type, name } = entityLabel(target);
  return {
    event: "merge",
    data: target,
    message: `merges ${type} ${sources.map((s) => `\`${entityLabel(s).name}\``).join(", ")} in \`${name}\``,
    context: {
      patch: comparePatch(previousTarget, target),
      reverse_patch: comparePatch(target, previousTarget),
      sources: [...sources],
    },
    ...extras,
  };
}

export interface SyntheticIndicatorFeedOptions {
  readonly count: number;
  /** Changes every value and id (default `"synthetic"`). */
  readonly seed?: string;
  /**
   * `create` (default): every event creates a new indicator. `mixed`: in each block of 10, 7 creates, then an
   * update (score + revoked) of the block's first indicator, a delete of its second, and a create with a
   * non-STIX (yara) pattern.
   */
  readonly actions?: "create" | "mixed";
  /** Fixed clock for the generated dates (default: when the feed is built). */
  readonly now?: Date;
}

/** FNV-1a over a string (32 bits). */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** murmur3's 32-bit finalizer. */
function mix32(x: number): number {
  let h = x >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

const hex8 = (n: number): string => (n >>> 0).toString(16).padStart(8, "0");

/**
 * A version-4-layout UUID for item `n` of a feed, without crypto (the synthetic feed builds ~100k/s).
 * The last 48 bits are `n` (masked by the seed), so ids are unique within a feed.
 */
function feedUuid(seedHash: number, n: number, salt: number): string {
  const a = mix32(seedHash ^ Math.imul(salt, 0x9e3779b1) ^ n);
  const b = mix32(a ^ salt);
  const low = (n ^ (a & 0xffffff)) >>> 0;
  const high = ((Math.floor(n / 0x1000000) ^ (b & 0xffffff)) & 0xffffff) >>> 0;
  const h = hex8(a) + hex8(b);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${((b & 0x3) | 0x8).toString(16)}${hex8(mix32(b ^ n)).slice(0, 3)}-${high.toString(16).padStart(6, "0")}${low.toString(16).padStart(8, "0").slice(-6)}`;
}

interface SyntheticObservable {
  readonly pattern: string;
  readonly type: string;
  readonly value: Record<string, unknown>;
  /** The observable value; undefined for hashes (makeIndicator then names the indicator by its pattern). */
  readonly name: string | undefined;
}

function syntheticObservable(n: number, seedHash: number): SyntheticObservable {
  switch (n % 4) {
    case 0: {
      const ip = `10.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
      return {
        pattern: `[ipv4-addr:value = '${ip}']`,
        type: "IPv4-Addr",
        value: { type: "IPv4-Addr", value: ip },
        name: ip,
      };
    }
    case 1: {
      const domain = `host-${n}.example.org`;
      return {
        pattern: `[domain-name:value = '${domain}']`,
        type: "Domain-Name",
        value: { type: "Domain-Name", value: domain },
        name: domain,
      };
    }
    case 2: {
      const url = `https://files.example.net/p/${n}`;
      return { pattern: `[url:value = '${url}']`, type: "Url", value: { type: "Url", value: url }, name: url };
    }
    default: {
      let digest = "";
      for (let k = 0; k < 8; k++)
        digest += hex8(mix32(seedHash ^ Math.imul(n + 1, 0x27d4eb2d) ^ Math.imul(k + 1, 0x165667b1)));
      return {
        pattern: `[file:hashes.'SHA-256' = '${digest}']`,
        type: "StixFile",
        value: { type: "StixFile", hashes: { "SHA-256": digest } },
        name: undefined,
      };
    }
  }
}

/**
 * A deterministic `make(i)` for `OpenCtiSimulator.addSyntheticFeed`: indicator events built on demand,
 * so a feed of a million events costs no memory.
 */
export function syntheticIndicatorFeed(options: SyntheticIndicatorFeedOptions): {
  readonly count: number;
  readonly make: (index: number) => PublishedEvent;
} {
  const seed = options.seed ?? "synthetic";
  const seedHash = fnv1a(seed);
  const now = options.now ?? new Date();
  const created = now.toISOString();
  const validUntil = new Date(now.getTime() + 90 * DAY_MS).toISOString();
  // Same shape and key order as makeIndicator, built without hashing or date parsing (benchmarks).
  const indicator = (n: number, change: { score?: number; revoked?: boolean; modified?: Date } = {}): StixIndicator => {
    const observable = syntheticObservable(n, seedHash);
    const modified = change.modified ? change.modified.toISOString() : created;
    return {
      id: `indicator--${feedUuid(seedHash, n, 1)}`,
      spec_version: "2.1",
      type: "indicator",
      extensions: {
        [STIX_EXT_OCTI]: {
          extension_type: "property-extension",
          id: feedUuid(seedHash, n, 2),
          type: "Indicator",
          created_at: created,
          updated_at: modified,
          is_inferred: false,
          creator_ids: [OPENCTI_ADMIN_USER_ID],
          detection: false,
          score: change.score ?? 50 + (n % 50),
          main_observable_type: observable.type,
          observable_values: [observable.value],
        },
      },
      created,
      modified,
      revoked: change.revoked ?? false,
      confidence: 100,
      lang: "en",
      labels: [],
      name: observable.name ?? observable.pattern,
      ...(observable.name !== undefined ? { description: `Simple indicator of observable {${observable.name}}` } : {}),
      indicator_types: ["malicious-activity"],
      pattern: observable.pattern,
      pattern_type: "stix",
      pattern_version: "2.1",
      valid_from: created,
      valid_until: validUntil,
      object_marking_refs: [],
      kill_chain_phases: [],
    };
  };
  const make = (index: number): PublishedEvent => {
    if (options.actions !== "mixed") return createEvent(indicator(index));
    const slot = index % 10;
    const block = index - slot;
    if (slot === 7) {
      // What updateEvent(before, after) computes, written out: the generic diff is too slow for benchmarks.
      const before = indicator(block);
      const modified = new Date(now.getTime() + 1000);
      const after = indicator(block, { score: 5, revoked: true, modified });
      const ext = `/extensions/${STIX_EXT_OCTI}`;
      const oldScore = before.extensions[STIX_EXT_OCTI].score;
      const at = modified.toISOString();
      return {
        event: "update",
        data: after,
        message: `replaces \`${oldScore}\` with \`5\` in \`Score\` | replaces \`false\` with \`true\` in \`Revoked\``,
        context: {
          patch: [
            { op: "replace", path: `${ext}/updated_at`, value: at },
            { op: "replace", path: `${ext}/score`, value: 5 },
            { op: "replace", path: "/modified", value: at },
            { op: "replace", path: "/revoked", value: true },
          ],
          reverse_patch: [
            { op: "replace", path: `${ext}/updated_at`, value: created },
            { op: "replace", path: `${ext}/score`, value: oldScore },
            { op: "replace", path: "/modified", value: created },
            { op: "replace", path: "/revoked", value: false },
          ],
        },
      };
    }
    if (slot === 8) return deleteEvent(indicator(block + 1));
    if (slot === 9) {
      return createEvent(
        makeIndicator({
          pattern: `rule synthetic_${index} { condition: true }`,
          patternType: "yara",
          seed: `${seed}:${index}`,
          now,
        }),
      );
    }
    return createEvent(indicator(index));
  };
  return { count: options.count, make };
}
