/**
 * Minimal STIX 2.1 → IOC mapping for `POST /threat-intelligence/iocs/stix` (spec §3.2). Everything here is [INF]:
 * SentinelOne does not document the field mapping.
 */
import type { IocType } from "./types.js";
import { isObject } from "./validate.js";

const PATTERN_RE = /^\s*\[\s*([A-Za-z0-9-]+):([^\s=]+)\s*=\s*'((?:[^'\\]|\\.)*)'\s*\]\s*$/;

const HASH_KEYS: Readonly<Record<string, IocType>> = { MD5: "MD5", SHA1: "SHA1", SHA256: "SHA256" };

/**
 * One supported comparison → IOC type + value; anything else (compound patterns, other object types,
 * upper-case object types, SHA-512, ipv6-addr) → undefined, i.e. "ignored".
 * Hash keys: `SHA-256`, `'SHA-256'`, `sha-256`, `sha256` and `SHA256` are all accepted.
 */
export function parseStixPattern(pattern: string): { type: IocType; value: string } | undefined {
  const m = PATTERN_RE.exec(pattern);
  if (!m) return undefined;
  const objectType = m[1]!;
  const path = m[2]!;
  const value = m[3]!.replace(/\\(.)/g, "$1");
  if (path === "value") {
    if (objectType === "ipv4-addr") return { type: "IPV4", value };
    if (objectType === "domain-name") return { type: "DNS", value };
    if (objectType === "url") return { type: "URL", value };
    return undefined;
  }
  if (objectType === "file" && path.startsWith("hashes.")) {
    const key = path
      .slice("hashes.".length)
      .replace(/^'(.*)'$/, "$1")
      .replaceAll("-", "")
      .toUpperCase();
    const type = HASH_KEYS[key];
    return type === undefined ? undefined : { type, value };
  }
  return undefined;
}

const THREAT_ACTOR_TYPE_MAP: Readonly<Record<string, string>> = {
  "nation-state": "Nation-state",
  "crime-syndicate": "Criminal",
  criminal: "Criminal",
  activist: "Hacktivist",
  hacktivist: "Hacktivist",
  "insider-accidental": "Insider",
  "insider-disgruntled": "Insider",
};

export interface StixOptions {
  defaultSource: string;
  sourceFromCreatedBy: boolean;
}

/** A POST-shaped raw item and the index of the bundle object it came from. */
export interface StixItem {
  index: number;
  raw: Record<string, unknown>;
}

function pushUnique(list: string[], v: unknown): void {
  if (typeof v === "string" && !list.includes(v)) list.push(v);
}

/**
 * Maps indicators with one supported comparison to POST items: name, description, valid_until → validUntil,
 * created → creationTime, id → externalId, pattern, pattern_type → patternType, labels; `indicates` relationships
 * to threat-actor / malware / campaign / intrusion-set objects of the bundle fill threatActors (+ threatActorTypes),
 * malwareNames, campaignNames and intrusionSets. `source` = the `created_by_ref` identity's name when it is in the
 * bundle (and enabled), else `defaultSource`. Indicators whose pattern_type is set and not `stix` are ignored.
 */
export function stixToItems(objects: readonly unknown[], opts: StixOptions): StixItem[] {
  const byId = new Map<string, Record<string, unknown>>();
  for (const o of objects) if (isObject(o) && typeof o.id === "string") byId.set(o.id, o);
  const related = new Map<string, Record<string, unknown>[]>();
  for (const o of objects) {
    if (!isObject(o) || o.type !== "relationship" || o.relationship_type !== "indicates") continue;
    if (typeof o.source_ref !== "string" || typeof o.target_ref !== "string") continue;
    const target = byId.get(o.target_ref);
    if (target === undefined) continue;
    const list = related.get(o.source_ref) ?? [];
    list.push(target);
    related.set(o.source_ref, list);
  }

  const items: StixItem[] = [];
  objects.forEach((o, index) => {
    if (!isObject(o) || o.type !== "indicator" || typeof o.pattern !== "string") return;
    if (o.pattern_type !== undefined && o.pattern_type !== "stix") return;
    const parsed = parseStixPattern(o.pattern);
    if (parsed === undefined) return;
    let source = opts.defaultSource;
    if (opts.sourceFromCreatedBy && typeof o.created_by_ref === "string") {
      const identity = byId.get(o.created_by_ref);
      if (identity !== undefined && typeof identity.name === "string" && identity.name.length > 0)
        source = identity.name;
    }
    const raw: Record<string, unknown> = { type: parsed.type, value: parsed.value, source, method: "EQUALS" };
    if (typeof o.name === "string") raw.name = o.name;
    if (typeof o.description === "string") raw.description = o.description;
    if (o.valid_until !== undefined) raw.validUntil = o.valid_until;
    if (o.created !== undefined) raw.creationTime = o.created;
    if (typeof o.id === "string") raw.externalId = o.id;
    raw.pattern = o.pattern;
    raw.patternType = o.pattern_type ?? "stix";
    if (Array.isArray(o.labels)) raw.labels = o.labels;
    const actors: string[] = [];
    const actorTypes: string[] = [];
    const malware: string[] = [];
    const campaigns: string[] = [];
    const sets: string[] = [];
    for (const t of typeof o.id === "string" ? (related.get(o.id) ?? []) : []) {
      if (t.type === "threat-actor") {
        pushUnique(actors, t.name);
        if (Array.isArray(t.threat_actor_types)) {
          for (const k of t.threat_actor_types)
            if (typeof k === "string") pushUnique(actorTypes, THREAT_ACTOR_TYPE_MAP[k]);
        }
      } else if (t.type === "malware") pushUnique(malware, t.name);
      else if (t.type === "campaign") pushUnique(campaigns, t.name);
      else if (t.type === "intrusion-set") pushUnique(sets, t.name);
    }
    if (actors.length > 0) raw.threatActors = actors;
    if (actorTypes.length > 0) raw.threatActorTypes = actorTypes;
    if (malware.length > 0) raw.malwareNames = malware;
    if (campaigns.length > 0) raw.campaignNames = campaigns;
    if (sets.length > 0) raw.intrusionSets = sets;
    items.push({ index, raw });
  });
  return items;
}
