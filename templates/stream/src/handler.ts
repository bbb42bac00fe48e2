/**
 * Each live stream event → the state each touched object should reach in __TITLE__ (this item, or none). The SDK's
 * sink queue (src/queue.ts) sends the differences in batches and acknowledges the event once __TITLE__ has it.
 */
import type { EventContext, Logger, SinkQueue, StixObject, StreamEvent, StreamEventHandler } from "@octi/connector-sdk";
import type { __PASCAL_NAME__Item } from "./client.js";
import { desired } from "./target.js";

/** STIX types this connector sends; events about other objects are skipped (and still acknowledged). */
export const SUPPORTED_TYPES: ReadonlySet<string> = new Set(["indicator"]);

/** OpenCTI's STIX object → the target's item. */
export function toItem(object: StixObject): __PASCAL_NAME__Item {
  return {
    key: object.id,
    type: object.type,
    ...(typeof object.name === "string" ? { name: object.name } : {}),
    ...(typeof object.pattern === "string" ? { pattern: object.pattern } : {}),
    ...(typeof object.valid_until === "string" ? { validUntil: object.valid_until } : {}),
  };
}

export class __PASCAL_NAME__Handler implements StreamEventHandler {
  constructor(
    private readonly queue: SinkQueue<__PASCAL_NAME__Item>,
    private readonly logger: Logger,
  ) {}

  async handle(event: StreamEvent, context: EventContext): Promise<void> {
    const object = event.data;
    if (!SUPPORTED_TYPES.has(object.type)) return this.logger.debug("Unsupported object skipped", { id: object.id });
    // === Add your code below === (create / update: the object's new state; delete: gone, or out of the filters)
    const changes = [desired(object.id, event.event === "delete" ? undefined : toItem(object))];
    // merge: other objects were merged into this one (`event.context.sources`): they are gone.
    for (const source of event.context?.sources ?? []) {
      if (typeof source?.id === "string" && source.id !== object.id) changes.push(desired(source.id));
    }
    // === Add your code above ===
    await this.queue.enqueue(changes, event.id, context.defer());
  }

  async start(): Promise<void> {
    this.queue.start();
  }
  flush(): void {
    this.queue.flush();
  }
  drain(deadline: number): Promise<void> {
    return this.queue.drain(deadline);
  }
  async stop(): Promise<void> {
    this.queue.stop();
  }
}
