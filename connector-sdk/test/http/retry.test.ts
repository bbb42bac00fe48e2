import { describe, expect, it } from "vitest";
import { backoffDelay, parseRetryAfter, sleep } from "../../src/http/retry.js";

describe("parseRetryAfter", () => {
  const now = Date.parse("2026-01-01T00:00:00Z");
  it.each([
    ["120", 120_000],
    [" 7 ", 7_000],
    ["1.5", 1_500],
    ["0.25", 250],
    ["0", 0],
    ["-3", 0],
    ["-0.5", 0],
    ["Thu, 01 Jan 2026 00:00:30 GMT", 30_000],
    ["Wed, 31 Dec 2025 23:00:00 GMT", 0],
    ["Thursday, 01-Jan-26 00:01:00 GMT", 60_000],
    ["Thu Jan  1 00:00:05 2026", 5_000],
    ["soon", undefined],
    ["12abc", undefined],
    ["1,5", undefined],
    ["+5", undefined],
    ["2026-01-01T00:00:30Z", undefined],
    ["", undefined],
    ["   ", undefined],
    [undefined, undefined],
  ])("%j → %j ms", (value, expected) => {
    expect(parseRetryAfter(value, now)).toBe(expected);
  });
});

describe("backoffDelay", () => {
  it("doubles from baseMs and stops at maxMs", () => {
    const delays = [0, 1, 2, 3, 4, 10, 1000].map((a) => backoffDelay(a, { baseMs: 100, maxMs: 1000, jitter: false }));
    expect(delays).toEqual([100, 200, 400, 800, 1000, 1000, 1000]);
  });

  it("uses equal jitter: uniformly between half and all of the exponential delay", () => {
    const at = (r: number) => backoffDelay(3, { baseMs: 100, maxMs: 1000, random: () => r });
    expect([at(0), at(0.5), at(0.999999)]).toEqual([400, 600, 800]);
    for (let i = 0; i < 200; i++) {
      const d = backoffDelay(3, { baseMs: 100, maxMs: 1000 });
      expect(d).toBeGreaterThanOrEqual(400);
      expect(d).toBeLessThanOrEqual(800);
    }
  });

  it("treats negative or NaN attempts as the first, huge ones as capped", () => {
    for (const attempt of [-1, Number.NaN, Number.NEGATIVE_INFINITY]) {
      expect(backoffDelay(attempt, { baseMs: 100, maxMs: 1000, jitter: false })).toBe(100);
    }
    expect(backoffDelay(Number.POSITIVE_INFINITY, { baseMs: 100, maxMs: 1000, jitter: false })).toBe(1000);
  });
});

describe("sleep", () => {
  it("resolves after the delay", async () => {
    await expect(sleep(1)).resolves.toBeUndefined();
  });

  it("ends early with an AbortError when aborted", async () => {
    const ac = new AbortController();
    const p = sleep(60_000, ac.signal);
    ac.abort(new Error("stop"));
    await expect(p).rejects.toMatchObject({ name: "AbortError", cause: expect.objectContaining({ message: "stop" }) });
  });

  it("rejects at once on an already aborted signal", async () => {
    await expect(sleep(60_000, AbortSignal.abort())).rejects.toMatchObject({ name: "AbortError" });
  });
});
