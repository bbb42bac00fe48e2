/**
 * SentinelOne as a sink target: the SDK's `SinkQueue` decides batching, order, coalescing, pacing and retries;
 * this file supplies the requests (create, delete by uuids or by externalId, list since) and the refusal policy.
 */
import {
  classifyHttpFailure,
  type FailureClass,
  HttpTargetError,
  type IndexedRecord,
  type ListedPage,
  type Refusal,
  type SinkTarget,
} from "@octi/connector-sdk";
import type { SentinelOneMetrics } from "../metrics.js";
import type { SentinelOneSettings } from "../settings.js";
import { MAX_DELETE_UUIDS, type SentinelOneApi } from "./client.js";
import type { DeadLetterSink } from "./dead-letter.js";
import { itemIndicesOf } from "./errors.js";
import { fingerprintIoc } from "./fingerprint.js";
import type { IocPayload, IocRecord } from "./types.js";

/** Records per listing page (SentinelOne's maximum). */
const PAGE_SIZE = 1000;

export class SentinelOneTarget implements SinkTarget<IocPayload> {
  readonly maxDeleteIds = MAX_DELETE_UUIDS;
  readonly name = "SentinelOne";

  constructor(
    private readonly client: SentinelOneApi,
    private readonly settings: Pick<SentinelOneSettings, "source">,
    private readonly deadLetter: DeadLetterSink,
    private readonly metrics: SentinelOneMetrics,
    private readonly now: () => number,
  ) {}

  async create(payloads: readonly IocPayload[], signal: AbortSignal): Promise<readonly (string | undefined)[]> {
    const uuids = await this.client.createIocs(payloads, signal);
    const byType = new Map<string, number>();
    for (const ioc of payloads) byType.set(ioc.type, (byType.get(ioc.type) ?? 0) + 1);
    for (const [type, count] of byType) this.metrics.iocsCreated.inc({ type }, count);
    return uuids;
  }

  async deleteIds(ids: readonly string[], signal: AbortSignal): Promise<void> {
    const affected = await this.client.deleteByUuids(ids, signal);
    if (affected > 0) this.metrics.iocsDeleted.inc(affected);
  }

  async deleteKey(key: string, signal: AbortSignal): Promise<void> {
    const affected = await this.client.deleteByExternalId(key, signal);
    if (affected > 0) this.metrics.iocsDeleted.inc(affected);
  }

  async listPage(since: number | undefined, cursor: string | undefined, signal: AbortSignal): Promise<ListedPage> {
    const page = await this.client.listIocs(
      {
        limit: PAGE_SIZE,
        ...(cursor !== undefined ? { cursor } : {}),
        ...(since !== undefined ? { updatedSince: new Date(since).toISOString() } : {}),
      },
      signal,
    );
    const records: IndexedRecord[] = [];
    // SentinelOne may ignore `source` on GET (reference §4.1): keep only our records.
    for (const record of page.data) {
      const indexed = this.indexed(record);
      if (indexed) records.push(indexed);
    }
    return {
      records,
      nextCursor: page.nextCursor,
      ...(page.totalItems !== undefined ? { total: page.totalItems } : {}),
    };
  }

  classify(error: unknown): FailureClass {
    if (error instanceof HttpTargetError && error.retryable) this.metrics.retries.inc({ reason: error.kind });
    return classifyHttpFailure(error, {
      name: this.name,
      credentials: "API key",
      itemIndices: (refusal) => itemIndicesOf(refusal.errors),
      authHint:
        "check SENTINELONE_INTEL_API_KEY and its scope (Threat Intelligence view + manage on the configured account/site/group)",
      otherHint: "check SENTINELONE_INTEL_API_URL (the console origin, e.g. https://your-console.sentinelone.net)",
    });
  }

  async refused(refusals: readonly Refusal<IocPayload>[]): Promise<void> {
    this.metrics.iocsDeadLettered.inc(refusals.length);
    const time = new Date(this.now()).toISOString();
    await this.deadLetter.write(
      refusals.map((r) => ({
        time,
        eventId: r.eventIds.join(","),
        indicatorId: r.key,
        ioc: r.operation === "create" ? r.payload : { operation: "delete", externalId: r.key, ...r.payload },
        ...(r.status !== undefined ? { status: r.status } : {}),
        reason: r.reason,
      })),
    );
  }

  /** A listed record as an index record, when it is ours (our source, with a uuid and an externalId). */
  private indexed(record: IocRecord): IndexedRecord | undefined {
    if (record.source !== this.settings.source) return undefined;
    if (typeof record.uuid !== "string" || typeof record.externalId !== "string" || record.externalId === "") {
      return undefined;
    }
    return { id: record.uuid, key: record.externalId, fingerprint: fingerprintIoc(record) };
  }
}
