import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { StatePusher } from "../../src/runtime/state-pusher.js";

/** A pusher over a fake "OpenCTI": the state is a number, a push stores it and takes `pushMs`. */
function harness(options: { everyEvents?: number; pushMs?: number } = {}) {
  let state = 0;
  let stored = -1;
  const pushes: number[] = [];
  const pusher = new StatePusher({
    cadence: { intervalMs: 1000, everyEvents: options.everyEvents ?? 10_000, minGapMs: 500 },
    keepAliveMs: 30_000,
    changed: () => state !== stored,
    push: async () => {
      pushes.push(Date.now());
      const sent = state;
      await new Promise((r) => setTimeout(r, options.pushMs ?? 10));
      stored = sent;
    },
  });
  return {
    pusher,
    pushes,
    ack(n = 1) {
      for (let i = 0; i < n; i++) {
        state++;
        pusher.onProgress(true);
      }
    },
    get stored() {
      return stored;
    },
    get state() {
      return state;
    },
  };
}

describe("StatePusher (decision 0007)", () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("pings at once, then follows acknowledgements within a second, at one push a second at most", async () => {
    const h = harness();
    h.pusher.start();
    await vi.advanceTimersByTimeAsync(20);
    expect(h.pushes).toHaveLength(1);
    // A steady flow: one acknowledgement every 50 ms for 5 s.
    for (let t = 0; t < 5000; t += 50) {
      h.ack();
      await vi.advanceTimersByTimeAsync(50);
    }
    await vi.advanceTimersByTimeAsync(1100);
    expect(h.stored).toBe(h.state);
    const gaps = h.pushes.slice(1).map((at, i) => at - h.pushes[i]!);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(1000);
    expect(h.pushes.length).toBeLessThanOrEqual(7); // start + ~1/s over 5 s + the tail
    await h.pusher.stop();
  });

  it("pushes nothing while nothing changes, except the keep-alive", async () => {
    const h = harness();
    h.pusher.start();
    await vi.advanceTimersByTimeAsync(20);
    h.ack(3);
    await vi.advanceTimersByTimeAsync(1100);
    expect(h.pushes).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(20_000);
    expect(h.pushes).toHaveLength(2);
    // Progress that does not move the state (an open id group) pushes nothing either.
    h.pusher.onProgress(false);
    await vi.advanceTimersByTimeAsync(2000);
    expect(h.pushes).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(10_000); // 30 s after the last push
    expect(h.pushes).toHaveLength(3);
    await h.pusher.stop();
  });

  it("after N acknowledgements pushes sooner than the interval, never closer than the minimum gap", async () => {
    const h = harness({ everyEvents: 100 });
    h.pusher.start();
    await vi.advanceTimersByTimeAsync(20);
    h.ack(100);
    await vi.advanceTimersByTimeAsync(520);
    expect(h.pushes).toHaveLength(2);
    expect(h.pushes[1]! - h.pushes[0]!).toBeGreaterThanOrEqual(500);
    expect(h.pushes[1]! - h.pushes[0]!).toBeLessThan(1000);
    h.ack(100); // right after the push: waits for the minimum gap
    await vi.advanceTimersByTimeAsync(300);
    expect(h.pushes).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(300);
    expect(h.pushes).toHaveLength(3);
    await h.pusher.stop();
  });

  it("never overlaps two pushes, and stop waits for the one under way", async () => {
    const h = harness({ pushMs: 3000 });
    h.pusher.start();
    await vi.advanceTimersByTimeAsync(10);
    h.ack(5);
    await vi.advanceTimersByTimeAsync(2500);
    expect(h.pushes).toHaveLength(1); // the first push is still under way
    await vi.advanceTimersByTimeAsync(600);
    expect(h.pushes).toHaveLength(2); // the change goes right after it
    const stopping = h.pusher.stop();
    let stopped = false;
    void stopping.then(() => {
      stopped = true;
    });
    await vi.advanceTimersByTimeAsync(100);
    expect(stopped).toBe(false);
    await vi.advanceTimersByTimeAsync(3000);
    expect(stopped).toBe(true);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(h.pushes).toHaveLength(2);
  });
});
