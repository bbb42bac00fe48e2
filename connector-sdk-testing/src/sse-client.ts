import { get, type IncomingHttpHeaders, type IncomingMessage } from "node:http";

/** One parsed SSE message. `id` is undefined when the message had no `id:` line. */
export interface SseMessage {
  readonly id: string | undefined;
  readonly event: string;
  readonly data: string;
}

/**
 * Incremental SSE parser (WHATWG framing: blank line ends a message, `data:` lines are joined with `\n`,
 * one space after the colon is dropped, `:` comments ignored). Feed it text; it returns complete messages.
 */
export class SseParser {
  private pending = "";

  push(text: string): SseMessage[] {
    this.pending += text;
    const out: SseMessage[] = [];
    for (;;) {
      const end = this.pending.search(/\r\n\r\n|\n\n|\r\r/);
      if (end < 0) break;
      const separator = this.pending.startsWith("\r\n\r\n", end) ? 4 : 2;
      const block = this.pending.slice(0, end);
      this.pending = this.pending.slice(end + separator);
      const message = parseBlock(block);
      if (message) out.push(message);
    }
    return out;
  }

  /** Text received after the last complete message (a cut message). */
  get remainder(): string {
    return this.pending;
  }
}

function parseBlock(block: string): SseMessage | undefined {
  let id: string | undefined;
  let event = "message";
  const data: string[] = [];
  let sawField = false;
  for (const line of block.split(/\r\n|\n|\r/)) {
    if (line === "" || line.startsWith(":")) continue;
    const colon = line.indexOf(":");
    const name = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    sawField = true;
    if (name === "id") id = value;
    else if (name === "event") event = value;
    else if (name === "data") data.push(value);
  }
  return sawField ? { id, event, data: data.join("\n") } : undefined;
}

/** Parses a whole SSE text. */
export function parseSseText(text: string): SseMessage[] {
  return new SseParser().push(text.endsWith("\n\n") ? text : `${text}\n\n`);
}

export interface SseTestConnection {
  readonly status: number;
  readonly statusMessage: string;
  readonly headers: IncomingHttpHeaders;
  /** Every message received so far. */
  readonly messages: readonly SseMessage[];
  /** Resolves when at least `count` messages matching `predicate` arrived (rejects on timeout or end). */
  waitFor(count: number, predicate?: (m: SseMessage) => boolean, timeoutMs?: number): Promise<SseMessage[]>;
  /** Resolves when the server ends or cuts the connection. */
  readonly ended: Promise<{ readonly error: Error | undefined; readonly remainder: string }>;
  readonly isEnded: boolean;
  close(): void;
}

export interface SseConnectOptions {
  readonly headers?: Readonly<Record<string, string>>;
  /** Don't keep messages (count them with `onMessage`): for very long streams. */
  readonly keepMessages?: boolean;
  readonly onMessage?: (message: SseMessage) => void;
}

/**
 * Opens an SSE connection with `node:http` (so the status line is visible) and parses what arrives.
 * For tests of the simulator and of anything that serves SSE.
 */
export function connectSse(url: string, options: SseConnectOptions = {}): Promise<SseTestConnection> {
  return new Promise((resolve, reject) => {
    const request = get(
      url,
      { headers: { accept: "text/event-stream", ...options.headers } },
      (response: IncomingMessage) => {
        const parser = new SseParser();
        const messages: SseMessage[] = [];
        const waiters = new Set<() => void>();
        let ended = false;
        let endError: Error | undefined;
        let resolveEnded!: (value: { error: Error | undefined; remainder: string }) => void;
        const endedPromise = new Promise<{ error: Error | undefined; remainder: string }>((r) => {
          resolveEnded = r;
        });
        const finish = (error?: Error) => {
          if (ended) return;
          ended = true;
          endError = error;
          resolveEnded({ error, remainder: parser.remainder });
          for (const w of [...waiters]) w();
        };
        response.setEncoding("utf8");
        response.on("data", (chunk: string) => {
          for (const message of parser.push(chunk)) {
            if (options.keepMessages !== false) messages.push(message);
            options.onMessage?.(message);
          }
          for (const w of [...waiters]) w();
        });
        response.on("end", () => finish());
        response.on("aborted", () => finish(new Error("aborted")));
        response.on("error", (error) => finish(error));
        response.on("close", () => finish(endError));
        const connection: SseTestConnection = {
          status: response.statusCode ?? 0,
          statusMessage: response.statusMessage ?? "",
          headers: response.headers,
          messages,
          ended: endedPromise,
          get isEnded() {
            return ended;
          },
          waitFor(count, predicate = () => true, timeoutMs = 10_000) {
            return new Promise<SseMessage[]>((resolveWait, rejectWait) => {
              const check = () => {
                const matching = messages.filter(predicate);
                if (matching.length >= count) {
                  cleanup();
                  resolveWait(matching);
                } else if (ended) {
                  cleanup();
                  rejectWait(
                    new Error(
                      `stream ended with ${matching.length}/${count} matching messages${endError ? ` (${endError.message})` : ""}`,
                    ),
                  );
                }
              };
              const timer = setTimeout(() => {
                cleanup();
                rejectWait(new Error(`timed out with ${messages.filter(predicate).length}/${count} matching messages`));
              }, timeoutMs);
              const cleanup = () => {
                clearTimeout(timer);
                waiters.delete(check);
              };
              waiters.add(check);
              check();
            });
          },
          close() {
            request.destroy();
            response.destroy();
            finish();
          },
        };
        resolve(connection);
      },
    );
    request.on("error", reject);
  });
}
