import { randomUUID } from "node:crypto";
import { PassThrough } from "node:stream";

/** Collects the JSON log lines a run writes. */
export class LogCapture {
  readonly stream = new PassThrough();
  private text = "";

  constructor() {
    this.stream.on("data", (chunk: Buffer) => {
      this.text += chunk.toString("utf8");
    });
  }

  get raw(): string {
    return this.text;
  }

  lines(): { level: string; message: string; attributes?: Record<string, unknown> }[] {
    return this.text
      .split("\n")
      .filter((l) => l.trim() !== "")
      .map((l) => JSON.parse(l) as { level: string; message: string; attributes?: Record<string, unknown> });
  }

  has(message: string | RegExp): boolean {
    return this.lines().some((l) => (typeof message === "string" ? l.message === message : message.test(l.message)));
  }
}

/** Polls until `check` returns a truthy value (tests wait on outcomes, never on fixed sleeps). */
export async function waitFor<T>(
  check: () => T | Promise<T>,
  what: string,
  timeoutMs = 15_000,
): Promise<NonNullable<T>> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export function baseEnv(url: string, token: string, streamId: string, extra: Record<string, string> = {}) {
  return {
    OPENCTI_URL: url,
    OPENCTI_TOKEN: token,
    CONNECTOR_ID: randomUUID(),
    CONNECTOR_LIVE_STREAM_ID: streamId,
    CONNECTOR_LOG_LEVEL: "debug",
    CONNECTOR_STATE_PING_INTERVAL: "1",
    CONNECTOR_SHUTDOWN_TIMEOUT: "5",
    ...extra,
  } as Record<string, string>;
}
