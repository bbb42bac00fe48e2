/**
 * What `npm run reconcile` needs of SentinelOne; the SDK runs the rest (decision 0013): the IOC key, the listing,
 * and the fields whose difference makes an IOC stale, with SentinelOne's `validUntil` clamp.
 */
import { type ComparedField, defineReconcile, type ReconcileItems } from "@octi/connector-sdk";
import { plugin } from "../index.js";
import { mapIndicator } from "../mapping/ioc-builder.js";
import { SentinelOneMetrics } from "../metrics.js";
import { SentinelOneClient } from "../sentinelone/client.js";
import type { DeadLetterRecord } from "../sentinelone/dead-letter.js";
import { fingerprintIoc } from "../sentinelone/fingerprint.js";
import { indexIdentity, sinkOptions } from "../sentinelone/push-queue.js";
import { SentinelOneTarget } from "../sentinelone/target.js";
import type { IocPayload, IocRecord } from "../sentinelone/types.js";
import { DATE_TOLERANCE_MS, DAY_MS, MAX_VALIDITY_DAYS, uploadsOf } from "../sentinelone/validity.js";

type Ioc = IocPayload | IocRecord;

const CASELESS_TYPES: ReadonlySet<string> = new Set(["MD5", "SHA1", "SHA256", "DNS"]);

/** One IOC per (indicator, type, value); hashes and domains compared whatever case either side stored them in. */
export function iocKey(ioc: Ioc): string | undefined {
  const { externalId, type, value } = ioc;
  if (typeof externalId !== "string" || typeof type !== "string" || typeof value !== "string") return undefined;
  const t = type.toUpperCase();
  return `${externalId}\u0000${t}\u0000${CASELESS_TYPES.has(t) ? value.toLowerCase() : value}`;
}

export function splitKey(key: string): { readonly externalId: string; readonly type: string; readonly value: string } {
  const [externalId = "", type = "", value = ""] = key.split("\u0000");
  return { externalId, type, value };
}

/** Not sent: SentinelOne chose the default. Else equal, or clamped from an upload (an upsert re-clamps). */
function validUntilInSync(expectedMs: number, storedMs: number, record: IocRecord): boolean {
  if (Number.isNaN(expectedMs)) return true;
  const near = (ms: number) => Math.abs(storedMs - ms) <= DATE_TOLERANCE_MS;
  if (Number.isNaN(storedMs) || near(expectedMs)) return !Number.isNaN(storedMs);
  const maxDays = MAX_VALIDITY_DAYS[String(record.type).toUpperCase()];
  if (maxDays === undefined) return false;
  return uploadsOf(record).some(
    (upload) => !Number.isNaN(upload) && near(Math.min(expectedMs, upload + maxDays * DAY_MS)),
  );
}

export const COMPARED_FIELDS: readonly ComparedField<Ioc, IocRecord>[] = [
  { name: "validUntil", kind: "instant", read: (ioc) => ioc.validUntil, inSync: validUntilInSync },
  { name: "name", kind: "text", read: (ioc) => ioc.name },
  { name: "description", kind: "text", read: (ioc) => ioc.description },
  { name: "score", kind: "number", read: (ioc) => ioc.originalRiskScore },
  { name: "labels", kind: "set", read: (ioc) => ioc.labels },
];

/** How IOCs of `source` are expected, keyed and compared. */
export const iocItems = (source: string): ReconcileItems<IocPayload, IocRecord> => ({
  source,
  map: (indicator, now) => {
    const mapping = mapIndicator(indicator, { source, now });
    return mapping.kind === "skip" ? mapping.reason : mapping.payloads;
  },
  key: iocKey,
  describeKey: splitKey,
  sourceOf: (record) => record.source,
  idOf: (record) => record.uuid,
  groupOf: (record) => (typeof record.externalId === "string" ? record.externalId : ""),
  fingerprint: fingerprintIoc,
  fields: COMPARED_FIELDS,
});

export const reconcileSpec = defineReconcile({
  plugin,
  names: { target: "SentinelOne", items: "IOCs", id: "uuid" },
  // SentinelOne's documented Threat Intelligence limit (the connector's own setting defaults to unpaced).
  requestsPerMinute: 30,
  open: ({ settings, agents, metrics, deadLetter }) => {
    const s1Metrics = new SentinelOneMetrics(metrics);
    const client = new SentinelOneClient(settings, agents, s1Metrics);
    const dead = deadLetter<DeadLetterRecord>(settings.deadLetterPath);
    return {
      target: new SentinelOneTarget(client, settings, dead, s1Metrics, Date.now),
      listRaw: async (cursor: string | undefined, signal: AbortSignal) => {
        const page = await client.listIocs({ limit: 1000, ...(cursor !== undefined ? { cursor } : {}) }, signal);
        const total = page.totalItems !== undefined ? { total: page.totalItems } : {};
        return { records: page.data, nextCursor: page.nextCursor, ...total };
      },
      index: { path: settings.indexPath, identity: indexIdentity(settings) },
      options: sinkOptions(settings),
      scope: settings.scope,
      ...iocItems(settings.source),
    };
  },
});
