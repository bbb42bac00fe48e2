/**
 * The typed form of one live-stream message. The SDK parses each SSE message once
 * (see `parseEnvelope`) and hands this to the connector's handler.
 */

/** A STIX 2.1 object as OpenCTI sends it (extensions included). Only `id` and `type` are guaranteed. */
export interface StixObject {
  readonly id: string;
  readonly type: string;
  readonly [key: string]: unknown;
}

/**
 * The SSE `event:` name. OpenCTI sends `create`, `update`, `delete` and `merge`; it is the action to take
 * (an update that makes an object leave the stream's filters arrives as `delete`).
 */
export type StreamAction = "create" | "update" | "delete" | "merge";

export interface StreamEventContext {
  readonly patch?: unknown[];
  readonly reverse_patch?: unknown[];
  readonly sources?: StixObject[];
  readonly [key: string]: unknown;
}

export interface StreamEvent {
  /** The SSE id, `<ms>-<seq>`: a resume point, not a key (several messages may share one). */
  readonly id: string;
  /** The SSE event name: the action to take. */
  readonly event: StreamAction;
  /** The STIX object (after the change; for `delete`, as it was). */
  readonly data: StixObject;
  /** Envelope `type` when present (absent on recovery/dependency messages). */
  readonly type?: string;
  readonly scope?: string;
  readonly message: string;
  readonly origin: Readonly<Record<string, unknown>>;
  readonly context?: StreamEventContext;
  readonly version: string;
}

/** What `parseEnvelope` returns for a message it cannot use; the runner logs it with the id and skips it. */
export interface MalformedEvent {
  readonly malformed: true;
  readonly id: string;
  readonly event: string;
  readonly reason: string;
}
