/** What a connector may do to its run: `ctx.lifecycle` (a leaf file: the sink queue and the plugin contract use it). */
export interface Lifecycle {
  /**
   * Stop the run because continuing cannot succeed (401/403 from the target API, …). The runner logs
   * the message, stops reading, pushes the acknowledged state and exits with code 1. Unacknowledged
   * events are not lost: they are replayed on the next start.
   */
  fatal(message: string, cause?: unknown): void;
  /**
   * Reads the stream again from scratch, in-process, as after a state reset in OpenCTI: `0-0` with `recover=<now>`
   * (a full recovery snapshot, with the `snapshotStarted` / `snapshotEnded` hooks), then the live stream from the
   * recover date. Events read and not handled yet are dropped (the snapshot holds their objects' current versions).
   * Used for a scheduled reconciliation.
   */
  restartFromScratch?(reason: string): void;
  /** Aborted when the run is stopping (graceful stop or fatal). */
  readonly signal: AbortSignal;
}
