import { describe, expect, it } from "vitest";
import { MessageQueue } from "../../src/runtime/message-queue.js";

describe("MessageQueue", () => {
  it("hands messages over in arrival order, across compactions", () => {
    const queue = new MessageQueue<number>();
    const taken: number[] = [];
    for (let i = 0; i < 10_000; i++) {
      queue.push(i);
      if (i % 3 === 2) taken.push(queue.take() ?? -1);
    }
    expect(queue.size).toBe(10_000 - taken.length);
    for (let item = queue.take(); item !== undefined; item = queue.take()) taken.push(item);
    expect(taken).toEqual(Array.from({ length: 10_000 }, (_, i) => i));
    expect(queue.size).toBe(0);
  });

  it("wakes the waiting consumer at the next push, or when woken", async () => {
    const queue = new MessageQueue<string>();
    const arrived = queue.arrival();
    queue.push("a");
    await arrived;
    expect(queue.take()).toBe("a");
    let woken = false;
    const waiting = queue.arrival().then(() => {
      woken = true;
    });
    await Promise.resolve();
    expect(woken).toBe(false);
    queue.wake();
    await waiting;
    expect(woken).toBe(true);
    expect(queue.take()).toBeUndefined();
  });

  it("forgets everything on clear (a restart from scratch)", () => {
    const queue = new MessageQueue<number>();
    queue.push(1);
    queue.push(2);
    queue.clear();
    expect(queue.size).toBe(0);
    expect(queue.take()).toBeUndefined();
  });
});
