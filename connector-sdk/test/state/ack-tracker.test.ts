import { describe, expect, it } from "vitest";
import { AckTracker } from "../../src/state/ack-tracker.js";

describe("AckTracker", () => {
  it("starts at the given position", () => {
    expect(new AckTracker("1700000000000-0").committed).toBe("1700000000000-0");
  });

  it("never advances past an unacknowledged earlier event", () => {
    const t = new AckTracker("0-0");
    const a = t.receive("1-0");
    const b = t.receive("2-0");
    const c = t.receive("3-0");
    t.ack(b);
    t.ack(c);
    expect(t.committed).toBe("0-0");
    t.ack(a);
    // 3-0 is the newest id: it may still have siblings, so the committed point is 2-0 until it is closed.
    expect(t.committed).toBe("2-0");
    t.receive("4-0");
    expect(t.committed).toBe("3-0");
  });

  it("treats an id as a resume point only once every message carrying it is done and a later id arrived", () => {
    const t = new AckTracker("0-0");
    const a1 = t.receive("5-0");
    const a2 = t.receive("5-0");
    t.ack(a1);
    t.receive("6-0");
    expect(t.committed).toBe("0-0");
    t.ack(a2);
    expect(t.committed).toBe("5-0");
  });

  it("a heartbeat closes the newest id and moves past idle periods", () => {
    const t = new AckTracker("0-0");
    const a = t.receive("7-0");
    t.ack(a);
    expect(t.committed).toBe("0-0");
    t.heartbeat("7-0");
    expect(t.committed).toBe("7-0");
    t.heartbeat("9-0");
    expect(t.committed).toBe("9-0");
  });

  it("a heartbeat does not jump over pending events", () => {
    const t = new AckTracker("0-0");
    const a = t.receive("7-0");
    t.heartbeat("8-0");
    expect(t.committed).toBe("0-0");
    t.ack(a);
    expect(t.committed).toBe("8-0");
  });

  it("resumes a reconnect before a half-received id group, naming the group to sort out", () => {
    const t = new AckTracker("0-0");
    t.receive("1-0");
    t.receive("2-0");
    t.receive("2-0");
    expect(t.resumePoint()).toEqual({ from: "1-0", skipId: "2-0" });
    t.heartbeat("2-0");
    expect(t.resumePoint()).toEqual({ from: "2-0", skipId: undefined });
  });

  it("never takes an id for unique: an acknowledged referenced object does not commit its id before the event under it", () => {
    const t = new AckTracker("0-0");
    t.ack(t.receive("1-0"));
    t.ack(t.receive("3-0")); // the author identity OpenCTI sends ahead of event 3-0, under its id
    expect(t.committed).toBe("1-0");
    expect(t.resumePoint()).toEqual({ from: "1-0", skipId: "3-0" });
    t.ack(t.receive("3-0")); // the event itself
    t.heartbeat("3-0");
    expect(t.committed).toBe("3-0");
    expect(t.resumePoint()).toEqual({ from: "3-0", skipId: undefined });
  });

  it("a discarded message with a later id (the run is stopping) closes the newest group, and is not committed", () => {
    const t = new AckTracker("0-0");
    t.ack(t.receive("5-0"));
    expect(t.settled).toBe(false);
    t.discard("6-0");
    expect(t.committed).toBe("5-0");
    expect(t.settled).toBe(true);
    t.heartbeat("7-0"); // would cover the discarded 6-0
    expect(t.committed).toBe("5-0");
  });

  it("a discarded message of the open group keeps that group uncommitted, whatever arrives next", () => {
    const t = new AckTracker("0-0");
    t.ack(t.receive("4-0"));
    t.ack(t.receive("5-0")); // a referenced object, handled
    t.discard("5-0"); // the event under the same id, not handled
    t.discard("6-0");
    t.heartbeat("6-0");
    expect(t.committed).toBe("4-0");
    expect(t.resumePoint()).toEqual({ from: "4-0", skipId: "5-0" });
  });

  it("resumes from the start position when nothing was received", () => {
    expect(new AckTracker("42-0").resumePoint()).toEqual({ from: "42-0", skipId: undefined });
  });

  it("keeps memory bounded over long runs", () => {
    const t = new AckTracker("0-0");
    for (let i = 1; i <= 10_000; i++) t.ack(t.receive(`${i}-0`));
    expect(t.window).toBe(0);
    expect(t.committed).toBe("9999-0");
    expect(t.pending).toBe(0);
  });
});
