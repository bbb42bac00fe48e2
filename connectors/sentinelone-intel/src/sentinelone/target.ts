/**
 * SentinelOne as a sink target: the SDK's `SinkQueue` decides batching, order, coalescing, pacing and retries;
 * this file supplies the requests (create, delete by uuids or by externalId, list since) and the refusal policy.
 */
import type { FailureClass, IndexedRecord, ListedPage, Refusal, SinkTarget } from "@octi/connector-sdk";
import type { SentinelOneMetrics } from "../metrics.js";
import type { SentinelOneSettings } from "../settings.js";
import { MAX_DELETE_UUIDS, type SentinelOneApi } from "./client.js";
import type { DeadLetterSink } from "./dead-letter.js";
import { SentinelOneApiError } from "./errors.js";
import { fingerprintIoc } from "./fingerprint.js";
import type { IocPayload, IocRecord } from "./types.js";

/** Network errors raised before the request left: a create cannot have landed. */
const NOT_SENT_CODES: ReadonlySet<string> = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH"]);

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
    if (!(error instanceof SentinelOneApiError)) {
      return { kind: "fatal", message: `SentinelOne request failed unexpectedly: ${errorText(error)}` };
    }
    if (error.retryable) {
      this.metrics.retries.inc({ reason: error.kind });
      const notSent =
        error.kind === "rate_limited" || (error.kind === "network" && NOT_SENT_CODES.has(error.code ?? ""));
      return {
        kind: "retry",
        reason: error.message,
        mayHaveLanded: !notSent,
        ...(error.retryAfterMs !== undefined ? { retryAfterMs: error.retryAfterMs } : {}),
      };
    }
    if (error.kind === "invalid") {
      return {
        kind: "refused",
        reason: error.message,
        itemIndices: error.itemIndices,
        ...(error.status !== undefined ? { status: error.status } : {}),
      };
    }
    if (error.kind === "auth") {
      const what = error.errors[0]?.title ? ` ${error.errors[0].title}` : "";
      return {
        kind: "fatal",
        message: `SentinelOne rejected the API key (${error.status ?? "?"}${what}) on ${error.method} ${error.path}: check SENTINELONE_INTEL_API_KEY and its scope (Threat Intelligence view + manage on the configured account/site/group)`,
      };
    }
    return {
      kind: "fatal",
      message: `SentinelOne answered unexpectedly (${error.message}): check SENTINELONE_INTEL_API_URL (the console origin, e.g. https://your-console.sentinelone.net)`,
    };
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

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
