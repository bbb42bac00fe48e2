/**
 * Whether more events can reach the handler without it acknowledging some first. Handlers that hold events
 * back (batching) read it to send a partial batch at once instead of waiting for a flush timer: once the runner
 * has stopped reading the stream (`CONNECTOR_LIVE_STREAM_MAX_IN_FLIGHT` events await acknowledgement) and has
 * handed over every event it read, nothing more arrives until an acknowledgement. Injected under
 * `TOKENS.StreamFlow`.
 */
export class StreamFlow {
  private waiting = false;
  private readonly listeners = new Set<() => void>();

  /** True while the runner has nothing to hand over until the handler acknowledges events. */
  get waitingForAcks(): boolean {
    return this.waiting;
  }

  /** Calls `listener` each time `waitingForAcks` becomes true; returns the function that unsubscribes. */
  onWaitingForAcks(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The runner's side. */
  setWaitingForAcks(waiting: boolean): void {
    if (waiting === this.waiting) return;
    this.waiting = waiting;
    if (waiting) for (const listener of [...this.listeners]) listener();
  }
}
