/** The contract between the SDK's sink queue and a connector's target (see docs/decisions/0009). */
import type { IndexedRecord } from "../target-index/target-index.js";

/** One record a key should have in the target: what to send and its fingerprint (equal: nothing to send). */
export interface SinkItem<P> {
  readonly payload: P;
  readonly fingerprint: string;
}

/** The state one key should reach in the target: these records and no others (empty: none). */
export interface SinkChange<P> {
  readonly key: string;
  readonly items: readonly SinkItem<P>[];
}

/** One page of a target listing: the records of this connector (the target filters what it can, the connector the rest). */
export interface ListedPage {
  readonly records: readonly IndexedRecord[];
  readonly nextCursor: string | null;
  /** How many records the whole listing holds, when the target says. */
  readonly total?: number;
}

/**
 * What the sink does after a failed request:
 * - `retry`: wait (`retryAfterMs` or backoff) and try again; `mayHaveLanded` means a create may have been applied
 *   (timeout, reset, 5xx): the sink settles it with an incremental listing before acting on its keys again;
 * - `refused`: the target refused the content; `itemIndices` name the refused items of a create (empty: not said,
 *   the sink bisects); refused items are dead-lettered;
 * - `fatal`: stop the run (bad credentials, wrong URL).
 */
export type FailureClass =
  | { readonly kind: "retry"; readonly reason: string; readonly retryAfterMs?: number; readonly mayHaveLanded: boolean }
  | {
      readonly kind: "refused";
      readonly reason: string;
      readonly status?: number;
      readonly itemIndices: readonly number[];
    }
  | { readonly kind: "fatal"; readonly message: string };

/** A refused operation, handed to the connector (dead-letter file). */
export interface Refusal<P> {
  readonly operation: "create" | "delete";
  readonly key: string;
  /** The refused item (create) or the remote ids (delete). */
  readonly payload: P | { readonly ids: readonly string[] } | { readonly key: string };
  readonly reason: string;
  readonly status?: number;
  readonly eventIds: readonly string[];
}

/** A connector's target calls: one request each, no retries (the sink owns retries, pacing and order). */
export interface SinkTarget<P> {
  /** Creates the items; resolves with each item's remote id in order (`undefined` where the answer does not say). */
  create(payloads: readonly P[], signal: AbortSignal): Promise<readonly (string | undefined)[]>;
  /** Deletes records by remote id (at most `maxDeleteIds`). */
  deleteIds(ids: readonly string[], signal: AbortSignal): Promise<void>;
  /** Deletes every record of a key (used when the index cannot vouch for a key's records). */
  deleteKey(key: string, signal: AbortSignal): Promise<void>;
  /** One page of the records updated since `since` (epoch ms; everything when undefined). */
  listPage(since: number | undefined, cursor: string | undefined, signal: AbortSignal): Promise<ListedPage>;
  /** How to treat a failure of any of the calls above. */
  classify(error: unknown): FailureClass;
  /** Writes refused operations somewhere durable (dead-letter file); a rejection is logged with the records. */
  refused(refusals: readonly Refusal<P>[]): Promise<void>;
  /** Most remote ids one delete may carry. */
  readonly maxDeleteIds: number;
  /** Where records go, for logs (never a secret). */
  readonly name: string;
}

export interface SinkOptions {
  /** Most items in one create request. */
  readonly batchSize: number;
  /** How long the oldest pending change may wait for more before a request is sent (ms). */
  readonly flushIntervalMs: number;
  /** Keys pending before `enqueue` waits (back-pressure). */
  readonly maxPending: number;
  readonly retryBaseMs: number;
  readonly retryMaxDelayMs: number;
  /** Requests per minute the target allows (0: not paced; the target's 429 answers are honoured either way). */
  readonly requestsPerMinute: number;
  /** Subtracted from the checkpoint for incremental listings (clock skew between us and the target). */
  readonly listingMarginMs: number;
}
