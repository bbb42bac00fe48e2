/**
 * When the runner pushes the stream state to OpenCTI (pingConnector, the only way pycti saves it). See decision 0007:
 * - while acknowledged work moves the position, the saved state trails it by at most `intervalMs` (1 s);
 * - after `everyEvents` acknowledgements it is pushed sooner, but never less than `minGapMs` after the last push,
 *   so OpenCTI gets about one state push per second, two at most;
 * - with nothing changed, only the keep-alive ping (`CONNECTOR_STATE_PING_INTERVAL`) is sent.
 * One push at a time; a push never overlaps another.
 */
export interface StateCadence {
  /** How far behind acknowledged work the saved state may be while work flows (ms). */
  readonly intervalMs: number;
  /** Acknowledged events after which the state is pushed without waiting for `intervalMs`. */
  readonly everyEvents: number;
  /** Shortest time between two pushes (ms). */
  readonly minGapMs: number;
}

export const DEFAULT_STATE_CADENCE: StateCadence = { intervalMs: 1000, everyEvents: 10_000, minGapMs: 500 };

export interface StatePusherOptions {
  readonly cadence: StateCadence;
  /** `CONNECTOR_STATE_PING_INTERVAL` in ms: a ping is sent at least this often, changed or not. */
  readonly keepAliveMs: number;
  /** True when the state differs from the last one OpenCTI stored. */
  readonly changed: () => boolean;
  /** One ping carrying the current state; must not reject. */
  readonly push: () => Promise<void>;
}

export class StatePusher {
  private timer: NodeJS.Timeout | undefined;
  private dueAt = Number.POSITIVE_INFINITY;
  private lastPushAt = Number.NEGATIVE_INFINITY;
  private acked = 0;
  private progress = false;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(private readonly options: StatePusherOptions) {}

  /** Pushes at once (pycti pings right after registration), then keeps the cadence. */
  start(): void {
    this.schedule(Date.now());
  }

  /** The position may have moved (an acknowledgement, a heartbeat closing an id group). Cheap: called per event. */
  onProgress(acknowledged: boolean): void {
    if (acknowledged && ++this.acked === this.options.cadence.everyEvents) {
      this.progress = true;
      this.schedule(this.lastPushAt + this.options.cadence.minGapMs);
      return;
    }
    if (this.progress) return;
    this.progress = true;
    this.schedule(this.lastPushAt + this.options.cadence.intervalMs);
  }

  /** Stops scheduling; resolves once a push under way has finished. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** Brings the next push forward to `at` (epoch ms) when it is later. */
  private schedule(at: number): void {
    if (this.stopped || this.running || at >= this.dueAt) return;
    if (this.timer) clearTimeout(this.timer);
    this.dueAt = at;
    this.timer = setTimeout(() => this.fire(), Math.max(0, at - Date.now()));
  }

  private fire(): void {
    this.timer = undefined;
    this.dueAt = Number.POSITIVE_INFINITY;
    const now = Date.now();
    const keepAlive = now >= this.lastPushAt + this.options.keepAliveMs;
    this.progress = false;
    if (!keepAlive && !this.options.changed()) {
      this.acked = 0;
      this.schedule(this.lastPushAt + this.options.keepAliveMs);
      return;
    }
    this.lastPushAt = now;
    this.acked = 0;
    this.running = this.options.push().finally(() => {
      this.running = undefined;
      const { cadence } = this.options;
      if (this.acked >= cadence.everyEvents) this.schedule(this.lastPushAt + cadence.minGapMs);
      else if (this.progress) this.schedule(this.lastPushAt + cadence.intervalMs);
      else this.schedule(this.lastPushAt + this.options.keepAliveMs);
    });
  }
}
