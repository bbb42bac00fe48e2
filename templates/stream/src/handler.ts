/**
 * What the connector does with each live stream event. The SDK calls `handle` once per event, in stream order,
 * and acknowledges the event when it resolves (the stream position then moves past it). It owns the state: the
 * handler never stores the stream position itself.
 *
 * To batch, call `context.defer()` and acknowledge once the target has the batch; inject `TOKENS.StreamFlow` and
 * send a partial batch as soon as `waitingForAcks` is true (nothing more arrives until you acknowledge). The
 * SentinelOne connector's push queue does both (connectors/sentinelone-intel/src/sentinelone/push-queue.ts).
 */
import {
  type EventContext,
  type Logger,
  type StixObject,
  type StreamEvent,
  type StreamEventHandler,
  TOKENS,
} from "@octi/connector-sdk";
import { inject, injectable } from "tsyringe";
import { __ENV_PREFIX___CLIENT, type __PASCAL_NAME__Client, type __PASCAL_NAME__Item } from "./client.js";

/** STIX types this connector sends; events about other objects are skipped (and still acknowledged). */
export const SUPPORTED_TYPES: ReadonlySet<string> = new Set(["indicator"]);

/** OpenCTI's STIX object → the target's item. */
export function toItem(object: StixObject): __PASCAL_NAME__Item {
  return {
    id: object.id,
    type: object.type,
    ...(typeof object.name === "string" ? { name: object.name } : {}),
    ...(typeof object.pattern === "string" ? { pattern: object.pattern } : {}),
    ...(typeof object.valid_until === "string" ? { validUntil: object.valid_until } : {}),
  };
}

@injectable()
export class __PASCAL_NAME__Handler implements StreamEventHandler {
  constructor(
    @inject(__ENV_PREFIX___CLIENT) private readonly client: __PASCAL_NAME__Client,
    @inject(TOKENS.Logger) private readonly logger: Logger,
  ) {}

  async handle(event: StreamEvent, context: EventContext): Promise<void> {
    const object = event.data;
    if (!SUPPORTED_TYPES.has(object.type)) {
      this.logger.debug("Skipping an unsupported object", { id: object.id, type: object.type, event: event.event });
      return;
    }
    // === Add your code below ===
    switch (event.event) {
      case "create":
        // A new object entered the stream: send it.
        await this.client.upsert(toItem(object), context.signal);
        this.logger.info("Item created", { id: object.id });
        return;
      case "update":
        // The object changed (`event.context.patch` says how): send its new state. An update that takes an
        // object out of the stream's filters arrives as a `delete` instead.
        await this.client.upsert(toItem(object), context.signal);
        this.logger.info("Item updated", { id: object.id });
        return;
      case "delete":
        // The object was deleted, or left the stream's filters (CONNECTOR_LIVE_STREAM_LISTEN_DELETE=true).
        await this.client.remove(object.id, context.signal);
        this.logger.info("Item removed", { id: object.id });
        return;
      case "merge":
        // Other objects were merged into this one: their ids are in `event.context.sources`.
        for (const source of event.context?.sources ?? []) await this.client.remove(source.id, context.signal);
        await this.client.upsert(toItem(object), context.signal);
        return;
    }
    // === Add your code above ===
  }
}
