import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Logger } from "../../src/logging/types.js";
import { progressText, startProgressDisplay } from "../../src/runtime/progress.js";

const lines: { message: string; attributes?: Record<string, unknown> }[] = [];
const logger: Logger = {
  debug: () => {},
  info: (message, attributes) => lines.push({ message, ...(attributes ? { attributes } : {}) }),
  warning: () => {},
  error: () => {},
  child: () => logger,
};

describe("progress display", () => {
  beforeEach(() => {
    lines.length = 0;
    vi.useFakeTimers();
  });
  afterEach(() => vi.useRealTimers());

  it("renders a phase, a bar when the share is known, and the counts", () => {
    expect(
      progressText({ phase: "listing", fields: { "IOCs listed": "500/2000", "requests left": 3 }, fraction: 0.25 }),
    ).toBe("listing: [#####---------------] 25% IOCs listed 500/2000, requests left 3");
    expect(progressText({ phase: "snapshot", fields: { "events read": 12 } })).toBe("snapshot: events read 12");
  });

  it("on a terminal: draws at once, redraws one line in place, never logs, clears it at the end", () => {
    let written = "";
    let n = 0;
    const display = startProgressDisplay({
      stream: { isTTY: true, columns: 80, write: (t: string) => (written += t) },
      logger,
      read: () => ({ phase: "snapshot", fields: { "events read": ++n } }),
    });
    vi.advanceTimersByTime(1000);
    display.stop();
    expect(written.split("\r\u001b[2K").filter((s) => s !== "")).toEqual(
      [1, 2, 3, 4, 5].map((i) => `snapshot: events read ${i}`),
    );
    expect(written.endsWith("\r\u001b[2K")).toBe(true);
    expect(lines).toEqual([]);
  });

  it("elsewhere: a plain log line per interval with the counts as attributes, and a last one", () => {
    let written = "";
    const display = startProgressDisplay({
      stream: { write: (t: string) => (written += t) },
      logger,
      plainIntervalMs: 5000,
      read: () => ({ phase: "listing", fields: { "IOCs listed": 7 } }),
    });
    vi.advanceTimersByTime(10_000);
    display.stop();
    display.stop();
    expect(written).toBe("");
    expect(lines).toHaveLength(3);
    expect(lines[0]).toEqual({
      message: "Progress: listing: IOCs listed 7",
      attributes: { phase: "listing", iocs_listed: 7 },
    });
  });
});
