import type { IncomingMessage, ServerResponse } from "node:http";
import { CONTROL_PREFIX } from "./constants.js";
import type { OpenCtiSimulator } from "./opencti-simulator.js";
import { type PublishedEvent, syntheticIndicatorFeed } from "./stix-factory.js";

/**
 * The simulator's control routes, for a process that runs it out of process (the benchmark, the CLI).
 * JSON in, JSON out, no authentication (loopback only). Enabled with `controlApi: handleControlRequest`.
 *
 * | route | body | answer |
 * |---|---|---|
 * | `GET  /__sim/status` | | `{url, eventCount, lastEventId, openStreams, streams, connectors}` |
 * | `POST /__sim/publish` | `PublishedEvent` or `PublishedEvent[]`; `?stream=<id>` | `{ids}` |
 * | `POST /__sim/publish-raw` | `{event, data}` or `{text}`; `?stream=<id>` | `{id}` |
 * | `POST /__sim/feeds` | `{count, seed?, actions?: "create"\|"mixed", now?: ISO date}`; `?stream=<id>` | `{count, firstId, lastId}` |
 * | `GET  /__sim/connectors` | | `SimulatedConnector[]` |
 * | `POST /__sim/connectors/<id>/reset-state` | | `{ok: true}` |
 * | `POST /__sim/streams/<id>` | `{started: boolean}` | `{ok: true}` |
 * | `POST /__sim/faults` | `{dropConnections?, dropEvery?, dropMidEventOnce?, failGraphql?: {count, status?}, rejectToken?}` | `{ok: true, dropped?}` |
 * | `GET  /__sim/requests` | | `{graphql, stream}` (the request logs) |
 * | `POST /__sim/shutdown` | | `{ok: true}`, then the CLI process exits |
 */

class ControlError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString("utf8");
  if (text.trim() === "") return {};
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ControlError(400, `invalid JSON body: ${(error as Error).message}`);
  }
}

const asObject = (value: unknown): Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};

function answer(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "Content-Type": "application/json; charset=utf-8",
    "Content-Length": Buffer.byteLength(text),
  });
  res.end(text);
}

function checkEvent(value: unknown): PublishedEvent {
  const event = asObject(value);
  const data = asObject(event.data);
  if (!["create", "update", "delete", "merge"].includes(String(event.event))) {
    throw new ControlError(400, "each event needs `event`: create, update, delete or merge");
  }
  if (typeof data.id !== "string" || typeof data.type !== "string") {
    throw new ControlError(400, "each event needs a `data` STIX object with string `id` and `type`");
  }
  return event as unknown as PublishedEvent;
}

export async function handleControlRequest(
  sim: OpenCtiSimulator,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  const path = url.pathname.slice(CONTROL_PREFIX.length) || "/";
  const stream = url.searchParams.get("stream") ?? undefined;
  const method = req.method ?? "GET";
  try {
    if (method === "GET" && (path === "/" || path === "/status")) {
      return answer(res, 200, {
        url: sim.url,
        eventCount: sim.eventCount,
        lastEventId: sim.lastEventId ?? null,
        openStreams: sim.openStreamCount,
        streams: sim.streams(),
        connectors: sim.connectors(),
      });
    }
    if (method === "GET" && path === "/connectors") return answer(res, 200, sim.connectors());
    if (method === "GET" && path === "/requests") {
      return answer(res, 200, { graphql: sim.graphqlRequests, stream: sim.streamRequests });
    }
    if (method !== "POST") throw new ControlError(404, `no control route ${method} ${url.pathname}`);
    const body = await readJson(req);
    if (path === "/publish") {
      const events = (Array.isArray(body) ? body : [body]).map(checkEvent);
      return answer(res, 200, { ids: events.map((e) => sim.publish(e, stream)) });
    }
    if (path === "/publish-raw") {
      const b = asObject(body);
      if (typeof b.text === "string") return answer(res, 200, { id: sim.publishRawText(b.text, stream) });
      if (typeof b.event !== "string" || typeof b.data !== "string") {
        throw new ControlError(400, "publish-raw needs {event, data} strings or {text}");
      }
      return answer(res, 200, { id: sim.publishRaw(b.event, b.data, stream) });
    }
    if (path === "/feeds") {
      const b = asObject(body);
      const count = Number(b.count);
      if (!Number.isInteger(count) || count < 1) throw new ControlError(400, "feeds needs a positive integer `count`");
      const actions = b.actions === "mixed" ? "mixed" : "create";
      const seed = typeof b.seed === "string" ? { seed: b.seed } : {};
      // `now`: the feed's creation time, so that another process can make the same indicators (bench reconcile).
      const now = typeof b.now === "string" && !Number.isNaN(Date.parse(b.now)) ? { now: new Date(b.now) } : {};
      const feed = syntheticIndicatorFeed({ count, actions, ...seed, ...now });
      return answer(res, 200, sim.addSyntheticFeed(feed, stream));
    }
    const reset = /^\/connectors\/([^/]+)\/reset-state$/.exec(path);
    if (reset) {
      sim.resetState(decodeURIComponent(reset[1]!));
      return answer(res, 200, { ok: true });
    }
    const streamRoute = /^\/streams\/([^/]+)$/.exec(path);
    if (streamRoute) {
      const b = asObject(body);
      if (typeof b.started !== "boolean") throw new ControlError(400, "streams/<id> needs {started: boolean}");
      sim.setStreamStarted(decodeURIComponent(streamRoute[1]!), b.started);
      return answer(res, 200, { ok: true });
    }
    if (path === "/faults") {
      const b = asObject(body);
      let dropped: number | undefined;
      if (b.dropEvery !== undefined) sim.dropEvery(b.dropEvery === null ? null : Number(b.dropEvery));
      if (b.dropMidEventOnce === true) sim.dropMidEventOnce();
      if (typeof b.rejectToken === "boolean") sim.rejectToken(b.rejectToken);
      if (b.failGraphql !== undefined) {
        const f = asObject(b.failGraphql);
        sim.failGraphql(Number(f.count ?? 0), f.status === undefined ? 502 : Number(f.status));
      }
      if (b.dropConnections === true) dropped = sim.dropConnections();
      return answer(res, 200, { ok: true, ...(dropped !== undefined ? { dropped } : {}) });
    }
    if (path === "/shutdown") {
      answer(res, 200, { ok: true });
      sim.onShutdownRequest?.();
      return;
    }
    throw new ControlError(404, `no control route ${method} ${url.pathname}`);
  } catch (error) {
    if (error instanceof ControlError) return answer(res, error.status, { error: error.message });
    return answer(res, 400, { error: (error as Error).message });
  }
}
