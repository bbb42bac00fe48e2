/**
 * The messages read from the stream and not yet handed to the handler, in stream order. A plain array with a head
 * index (no `shift()` copying) that releases each slot as it is taken, so consumed messages are not kept reachable
 * until the next compaction; one waiter (the consumer) is woken by the next push or by `wake()`.
 */
export class MessageQueue<T> {
  private items: (T | undefined)[] = [];
  private head = 0;
  private waiter: (() => void) | undefined;

  get size(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    this.items.push(item);
    this.wake();
  }

  /** The oldest message, or `undefined` when empty. */
  take(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head];
    this.items[this.head++] = undefined;
    if (this.head > 4096 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }

  /** Resolves at the next push or `wake()`. */
  arrival(): Promise<void> {
    return new Promise((resolve) => {
      this.waiter = resolve;
    });
  }

  /** Wakes the consumer (a push, or a stop it must notice). */
  wake(): void {
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.();
  }

  clear(): void {
    this.items = [];
    this.head = 0;
  }
}
