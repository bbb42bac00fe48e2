import type { MalformedEvent, StixObject, StreamAction, StreamEvent } from "./envelope.js";

const ACTIONS: ReadonlySet<string> = new Set(["create", "update", "delete", "merge"]);

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * Parses one SSE message (`id`, `event`, raw `data`) into the typed envelope, once. Anything unusable
 * comes back as `MalformedEvent` with a reason that names what is wrong; it never throws.
 */
export function parseEnvelope(id: string, event: string, data: string): StreamEvent | MalformedEvent {
  const malformed = (reason: string): MalformedEvent => ({ malformed: true, id, event, reason });
  if (!ACTIONS.has(event)) return malformed(`unknown event type ${JSON.stringify(event.slice(0, 40))}`);
  let payload: unknown;
  try {
    payload = JSON.parse(data);
  } catch (error) {
    return malformed(`data is not valid JSON (${(error as Error).message.slice(0, 120)})`);
  }
  if (!isObject(payload)) return malformed("data is not a JSON object");
  const stix = payload.data;
  if (!isObject(stix)) return malformed("envelope has no `data` object (the STIX object)");
  if (typeof stix.id !== "string" || stix.id === "") return malformed("the STIX object has no string `id`");
  if (typeof stix.type !== "string" || stix.type === "") return malformed("the STIX object has no string `type`");
  const context = payload.context;
  if (context !== undefined && context !== null && !isObject(context)) return malformed("`context` is not an object");
  const origin = isObject(payload.origin) ? payload.origin : {};
  return {
    id,
    event: event as StreamAction,
    data: stix as StixObject,
    ...(typeof payload.type === "string" ? { type: payload.type } : {}),
    ...(typeof payload.scope === "string" ? { scope: payload.scope } : {}),
    message: typeof payload.message === "string" ? payload.message : "",
    origin,
    ...(isObject(context) ? { context } : {}),
    version: typeof payload.version === "string" ? payload.version : String(payload.version ?? ""),
  };
}

export function isMalformed(value: StreamEvent | MalformedEvent): value is MalformedEvent {
  return (value as MalformedEvent).malformed === true;
}
