/** What a demo run returns (read by the summary; its own file so that demo.ts and summary.ts do not import each other). */
import type { RunResult } from "@octi/connector-sdk";
import type { FeedEvents, IocComparison } from "./demo-feed.js";

export interface RegisteredConnectorView {
  readonly id: string;
  readonly name: string;
  readonly active?: boolean;
  readonly state: string | null;
}

export interface DemoResult {
  /** SentinelOne holds exactly the expected IOCs and the run stopped cleanly. */
  readonly ok: boolean;
  readonly exitCode: 0 | 1;
  /** Everything that made `ok` false, in words. */
  readonly problems: readonly string[];
  readonly feed: { readonly indicators: number; readonly steps: number; readonly events: FeedEvents };
  /** `stream_events_received_total` by SSE event name. */
  readonly eventsReceived: Record<string, number>;
  /** IOCs SentinelOne accepted, by type (the connector's `sentinelone_iocs_created_total`). */
  readonly iocsCreated: Record<string, number>;
  /** By type: created minus what SentinelOne still holds at the end (the simulator started empty). */
  readonly iocsRemoved: Record<string, number>;
  /** `affected` totals SentinelOne reported for the connector's deletes (`sentinelone_iocs_deleted_total`). */
  readonly deletedReported: number;
  readonly skipped: Record<string, number>;
  readonly malformed: number;
  readonly handlerErrors: number;
  readonly deadLettered: number;
  readonly requests: { readonly total: number; readonly byStatus: Record<string, number> };
  readonly connector: RegisteredConnectorView | null;
  readonly comparison: IocComparison;
  readonly run: RunResult | null;
  /** Until the connector had handled every event and its queue was empty. */
  readonly handledMs: number;
  readonly elapsedMs: number;
  readonly logFile: string;
  readonly workDir: string;
  /** The temporary folder (log, dead-letter file) was removed at the end (not `--keep`, not given, no failure). */
  readonly removedWorkDir: boolean;
}
