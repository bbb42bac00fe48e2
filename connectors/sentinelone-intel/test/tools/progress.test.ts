import { describe, expect, it } from "vitest";
import { createProgress, formatDuration, progressBar } from "../../dev/tools/progress.js";

const snapshot = (handled: number, elapsedMs: number) => ({
  handled,
  total: 200,
  iocs: handled,
  pending: 3,
  rateLimited: handled > 100 ? 2 : 0,
  elapsedMs,
});

describe("demo progress", () => {
  it("on a TTY rewrites one line with a bar and counters, and ends it with a newline", () => {
    let out = "";
    const progress = createProgress({ isTTY: true, columns: 120, write: (t: string) => (out += t) });
    progress.update(snapshot(50, 1000));
    progress.update(snapshot(150, 2000));
    progress.done(snapshot(200, 2500));
    const frames = out.split("\r").filter((f) => f !== "");
    expect(frames).toHaveLength(3);
    expect(frames[0]).toBe(`${progressBar(0.25, 30)} events 50/200 | IOCs 50 | queued 3 | 1.0 s\u001b[K`);
    expect(frames[1]).toContain("429s 2");
    expect(frames[2]).toMatch(/^\[#{30}\] 100% events 200\/200 .*\u001b\[K\n$/);
    expect(out.split("\n")).toHaveLength(2);
  });

  it("never draws wider than the terminal", () => {
    let out = "";
    const progress = createProgress({ isTTY: true, columns: 60, write: (t: string) => (out += t) });
    progress.update(snapshot(150, 65_000));
    expect(out.replace("\r", "").replace("\u001b[K", "").length).toBeLessThanOrEqual(59);
  });

  it("elsewhere prints a plain line at most once per interval, and always the last one", () => {
    let out = "";
    let clock = 0;
    const progress = createProgress({ write: (t: string) => (out += t) }, { plainIntervalMs: 1000, now: () => clock });
    progress.update(snapshot(10, 0));
    clock = 400;
    progress.update(snapshot(20, 400));
    clock = 1000;
    progress.update(snapshot(30, 1000));
    progress.done(snapshot(200, 1100));
    expect(out.split("\n").filter((l) => l !== "")).toEqual([
      "progress: events 10/200 | IOCs 10 | queued 3 | 0.0 s",
      "progress: events 30/200 | IOCs 30 | queued 3 | 1.0 s",
      "progress: events 200/200 | IOCs 200 | queued 3 | 429s 2 | 1.1 s",
    ]);
    expect(out).not.toContain("\r");
  });

  it("formats durations and bars", () => {
    expect(formatDuration(1234)).toBe("1.2 s");
    expect(formatDuration(125_000)).toBe("2 min 5 s");
    expect(progressBar(0.5, 10)).toBe("[#####-----]  50%");
    expect(progressBar(Number.NaN, 4)).toBe("[----]   0%");
  });
});
