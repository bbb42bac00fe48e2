import { type Agent, request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import type { Gate } from "./gate.js";

export interface NodeFetchOptions {
  readonly agentFor: (url: string) => Agent;
  /** Headers added to every request; they replace what the caller set (e.g. our own Last-Event-ID). */
  readonly headers: () => Record<string, string>;
  /** The body is read from the socket only while this gate is open. */
  readonly gate: Gate;
  /** Called with each response's status line, so callers can report OpenCTI's reason phrase. */
  readonly onResponse?: (status: number, statusText: string) => void;
}

/**
 * A `fetch` for the `eventsource` package built on node:http(s), because Node 20's global fetch cannot
 * take an agent: we need ours for TLS (custom CA, verify off) and HTTP(S)_PROXY/NO_PROXY. The body is a
 * pull-based web stream that reads the socket only while the gate is open, so a slow handler pauses
 * the TCP connection instead of buffering the stream in memory.
 */
export function createNodeFetch(options: NodeFetchOptions): typeof fetch {
  const nodeFetch = (input: string | URL | Request, init?: RequestInit): Promise<Response> =>
    new Promise<Response>((resolve, reject) => {
      const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
      const requestFn = url.startsWith("https:") ? httpsRequest : httpRequest;
      const headers: Record<string, string> = {};
      new Headers(init?.headers).forEach((value, key) => {
        headers[key] = value;
      });
      Object.assign(headers, options.headers());
      const req = requestFn(url, { method: "GET", headers, agent: options.agentFor(url) });
      const signal = init?.signal;
      const onAbort = () => req.destroy(Object.assign(new Error("aborted"), { name: "AbortError" }));
      if (signal?.aborted) return onAbort();
      signal?.addEventListener("abort", onAbort, { once: true });
      req.on("error", (error) => {
        signal?.removeEventListener("abort", onAbort);
        reject(error);
      });
      req.on("response", (res: IncomingMessage) => {
        const status = res.statusCode ?? 0;
        const statusText = res.statusMessage ?? "";
        options.onResponse?.(status, statusText);
        const responseHeaders = new Headers();
        for (const [key, value] of Object.entries(res.headers)) {
          if (typeof value === "string") responseHeaders.set(key, value);
          else if (Array.isArray(value)) for (const v of value) responseHeaders.append(key, v);
        }
        if (status !== 200) {
          res.resume();
          resolve(
            new Response(null, {
              status: status >= 200 && status <= 599 ? status : 502,
              statusText,
              headers: responseHeaders,
            }),
          );
          return;
        }
        const chunks = res[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
        const body = new ReadableStream<Uint8Array>(
          {
            async pull(controller) {
              await options.gate.wait();
              try {
                const next = await chunks.next();
                if (next.done) controller.close();
                else
                  controller.enqueue(new Uint8Array(next.value.buffer, next.value.byteOffset, next.value.byteLength));
              } catch (error) {
                controller.error(error);
              }
            },
            cancel() {
              res.destroy();
            },
          },
          { highWaterMark: 0 },
        );
        resolve(new Response(body, { status, statusText, headers: responseHeaders }));
      });
      req.end();
    });
  return nodeFetch as typeof fetch;
}
