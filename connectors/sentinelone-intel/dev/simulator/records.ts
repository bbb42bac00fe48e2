/** Building stored records (spec §2.3 expiry, §2.4 shape, §8 upsert). */
import { randomUUID } from "node:crypto";
import type { ScopeTarget } from "./scope.js";
import type { IocStore } from "./store.js";
import { daysToMicros, formatMicros } from "./time.js";
import type { IocType, StoredIoc } from "./types.js";
import type { ValidatedItem } from "./validate.js";

/** [default, maximum] validUntil offsets in days (§2.3). IPV6 is treated as an IP ([INF]). */
export const EXPIRY_DAYS: Readonly<Record<IocType, readonly [number, number]>> = {
  IPV4: [14, 30],
  IPV6: [14, 30],
  URL: [90, 180],
  DNS: [90, 180],
  MD5: [180, 180],
  SHA1: [180, 180],
  SHA256: [180, 180],
};

/** Blank → upload + default; later than upload + maximum → clamped to it; earlier values are kept as sent. */
export function effectiveValidUntil(type: IocType, requestedUs: number | null, uploadUs: number): number {
  const [def, max] = EXPIRY_DAYS[type];
  if (requestedUs === null) return uploadUs + daysToMicros(def);
  return Math.min(requestedUs, uploadUs + daysToMicros(max));
}

/** 32 lowercase hex characters, like SentinelOne's uuid and batchId. */
export function hex32(): string {
  return randomUUID().replaceAll("-", "");
}

const EMPTY: never[] = Object.freeze([]) as unknown as never[];

export interface BatchContext {
  batchId: string;
  uploadUs: number;
  /** formatMicros(uploadUs), shared by every record of the batch. */
  uploadTime: string;
  creator: string;
}

/** Input fields a record carries over from its request (everything but the server-set ones). */
type InputFields = Record<string, unknown>;

/**
 * A record with keys in alphabetical order (as SentinelOne lists them). Defaulted keys are always present;
 * optional keys only when the request set them. `creator` is always the calling token's user ([INF], §2.4).
 */
export function buildRecord(
  store: IocStore,
  base: { type: IocType; value: string; source: string; fields: InputFields },
  validUntil: string,
  target: ScopeTarget,
  batch: BatchContext,
  ids: { uuid: string; uploadTime: string },
): StoredIoc {
  const f = base.fields;
  const r: Record<string, unknown> = { batchId: batch.batchId };
  if (f.campaignNames !== undefined) r.campaignNames = f.campaignNames;
  r.category = f.category ?? EMPTY;
  r.creationTime = f.creationTime ?? null;
  r.creator = batch.creator;
  if (f.description !== undefined) r.description = f.description;
  if (f.externalId !== undefined) r.externalId = f.externalId;
  r.intrusionSets = f.intrusionSets ?? EMPTY;
  if (f.labels !== undefined) r.labels = f.labels;
  if (f.malwareNames !== undefined) r.malwareNames = f.malwareNames;
  r.metadata = f.metadata ?? "";
  r.method = "EQUALS";
  r.mitreTactic = f.mitreTactic ?? EMPTY;
  if (f.name !== undefined) r.name = f.name;
  if (f.originalRiskScore !== undefined) r.originalRiskScore = f.originalRiskScore;
  r.parentScopeId = store.intern(target.parentScopeId);
  if (f.pattern !== undefined) r.pattern = f.pattern;
  if (f.patternType !== undefined) r.patternType = f.patternType;
  r.reference = f.reference ?? EMPTY;
  r.scope = target.scope;
  r.scopeId = store.intern(target.scopeId);
  if (f.severity !== undefined) r.severity = f.severity;
  r.source = store.intern(base.source);
  if (f.threatActorTypes !== undefined) r.threatActorTypes = f.threatActorTypes;
  r.threatActors = f.threatActors ?? EMPTY;
  r.type = base.type;
  r.updatedAt = batch.uploadTime;
  r.uploadTime = ids.uploadTime;
  r.uuid = ids.uuid;
  r.validUntil = validUntil;
  r.value = base.value;
  return r as unknown as StoredIoc;
}

const SERVER_KEYS = new Set([
  "batchId",
  "creator",
  "parentScopeId",
  "scope",
  "scopeId",
  "updatedAt",
  "uploadTime",
  "uuid",
  "validUntil",
  "type",
  "value",
  "source",
  "method",
]);

/** The input fields of an existing record (for an upsert merge). */
export function inputFieldsOf(rec: StoredIoc): InputFields {
  const out: InputFields = {};
  for (const [k, v] of Object.entries(rec)) if (!SERVER_KEYS.has(k)) out[k] = v;
  return out;
}

export function newBatch(nowMs: number, creator: string): BatchContext {
  const uploadUs = Math.round(nowMs * 1000);
  return { batchId: hex32(), uploadUs, uploadTime: formatMicros(uploadUs), creator };
}

export function recordFor(
  store: IocStore,
  item: ValidatedItem,
  target: ScopeTarget,
  batch: BatchContext,
  existing: StoredIoc | undefined,
): StoredIoc {
  const validUntil = formatMicros(effectiveValidUntil(item.type, item.validUntilUs, batch.uploadUs));
  if (existing === undefined) {
    return buildRecord(store, item, validUntil, target, batch, { uuid: hex32(), uploadTime: batch.uploadTime });
  }
  // Upsert: keep uuid and uploadTime, take the new batchId / updatedAt / validUntil, overlay the fields sent.
  const fields = { ...inputFieldsOf(existing), ...item.fields };
  return buildRecord(
    store,
    { type: item.type, value: item.value, source: item.source, fields },
    validUntil,
    target,
    batch,
    {
      uuid: existing.uuid,
      uploadTime: existing.uploadTime,
    },
  );
}
