/**
 * The __TITLE__ API as a target of the SDK's sink queue (docs/decisions/0009 in the SDK's repository): the queue
 * batches, coalesces, paces, retries, keeps per-key order and acknowledges events once the target has their
 * state; this file says how to send, list and delete, and which failures are worth a retry.
 */
import {
  classifyHttpFailure,
  type FailureClass,
  type IndexedRecord,
  JsonLinesFile,
  type ListedPage,
  type Refusal,
  type SinkChange,
  type SinkTarget,
} from "@octi/connector-sdk";
import { type __PASCAL_NAME__Client, type __PASCAL_NAME__Item, MAX_DELETE_IDS } from "./client.js";

/** What the target holds for an item, compared field by field (equal: nothing to send again). */
export function fingerprint(item: __PASCAL_NAME__Item): string {
  return JSON.stringify([item.key, item.type, item.name ?? null, item.pattern ?? null, item.validUntil ?? null]);
}

/** The state one key should reach in the target: this item, or nothing (deleted). */
export function desired(key: string, item?: __PASCAL_NAME__Item): SinkChange<__PASCAL_NAME__Item> {
  return { key, items: item ? [{ payload: item, fingerprint: fingerprint(item) }] : [] };
}

export class __PASCAL_NAME__Target implements SinkTarget<__PASCAL_NAME__Item> {
  readonly maxDeleteIds = MAX_DELETE_IDS;
  readonly name = "__TITLE__";

  constructor(
    private readonly client: __PASCAL_NAME__Client,
    private readonly deadLetter: JsonLinesFile<unknown>,
  ) {}

  create(items: readonly __PASCAL_NAME__Item[], signal: AbortSignal): Promise<readonly string[]> {
    return this.client.createItems(items, signal);
  }

  deleteIds(ids: readonly string[], signal: AbortSignal): Promise<void> {
    return this.client.deleteItems(ids, signal);
  }

  deleteKey(key: string, signal: AbortSignal): Promise<void> {
    return this.client.deleteKey(key, signal);
  }

  async listPage(since: number | undefined, cursor: string | undefined, signal: AbortSignal): Promise<ListedPage> {
    const page = await this.client.listItems({ updatedSince: since, cursor }, signal);
    const records: IndexedRecord[] = page.items.map((r) => ({ id: r.id, key: r.key, fingerprint: fingerprint(r) }));
    return { records, nextCursor: page.nextCursor };
  }

  /**
   * Retry a 429 (paced, cannot have landed), a timeout or a 5xx (may have landed); dead-letter what a 400/422
   * refused; stop on a rejected key or an unexpected answer. Say here which items a refusal names, if the API does.
   */
  classify(error: unknown): FailureClass {
    return classifyHttpFailure(error, {
      name: "__TITLE__",
      credentials: "API key",
      authHint: "check __ENV_PREFIX___API_KEY",
      otherHint: "check __ENV_PREFIX___API_URL",
    });
  }

  /** Items the target refused go to the dead-letter file, with the events they came from. */
  refused(refusals: readonly Refusal<__PASCAL_NAME__Item>[]): Promise<void> {
    const time = new Date().toISOString();
    return this.deadLetter.write(refusals.map((refusal) => ({ time, ...refusal })));
  }
}
