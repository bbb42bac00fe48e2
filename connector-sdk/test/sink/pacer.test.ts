import { describe, expect, it } from "vitest";
import { RequestPacer } from "../../src/sink/pacer.js";

describe("RequestPacer", () => {
  it("starts with one request, then spaces them at the rate, and fills up to a minute's worth while idle", async () => {
    let now = 0;
    const pacer = new RequestPacer(30, () => now);
    const signal = new AbortController().signal;
    expect(pacer.delay()).toBe(0);
    await pacer.take(signal);
    expect(pacer.delay()).toBe(2000);
    now += 2000;
    expect(pacer.delay()).toBe(0);
    now += 10 * 60_000; // idle: the bucket fills to 30, not more
    for (let i = 0; i < 30; i++) await pacer.take(signal);
    expect(pacer.delay()).toBe(2000);
  });

  it("says how many requests may go now (progress displays); unpaced: any number", async () => {
    let now = 0;
    const pacer = new RequestPacer(30, () => now);
    expect(pacer.available()).toBe(1);
    await pacer.take(new AbortController().signal);
    expect(pacer.available()).toBe(0);
    now += 10_000;
    expect(pacer.available()).toBe(5);
    expect(new RequestPacer(0).available()).toBe(Number.POSITIVE_INFINITY);
  });

  it("starts again from an empty bucket after a rate-limit answer", async () => {
    let now = 0;
    const pacer = new RequestPacer(60, () => now);
    now += 60_000;
    expect(pacer.delay()).toBe(0);
    pacer.exhausted();
    expect(pacer.delay()).toBe(1000);
  });

  it("does not pace at 0", async () => {
    const pacer = new RequestPacer(0, () => 0);
    for (let i = 0; i < 100; i++) await pacer.take(new AbortController().signal);
    expect(pacer.delay()).toBe(0);
  });
});
