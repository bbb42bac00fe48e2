/**
 * What a push-to-a-target connector gives to get `npm run reconcile` (decision 0013): its plugin (configuration
 * loaded as `npm start` loads it), then, per run, its target calls, its listing, and how an item is keyed and
 * compared. Everything else (command, snapshot, listing with progress, diff, repairs, report) is the SDK's.
 */
import type { NamespaceSchema } from "../config/types.js";
import type { HttpAgents } from "../http/types.js";
import type { Logger } from "../logging/types.js";
import type { Metrics } from "../metrics/types.js";
import type { JsonLinesFile } from "../runtime/dead-letter.js";
import type { ConnectorPlugin, StreamEventHandler } from "../runtime/plugin.js";
import type { LoadedPluginConfig } from "../runtime/plugin-config.js";
import type { SinkOptions, SinkTarget } from "../sink/types.js";
import type { StixObject } from "../stream/envelope.js";
import type { TargetIndexOptions } from "../target-index/target-index.js";
import type { ComparedField } from "./compared-fields.js";
import type { RawPage } from "./reconcile-queue.js";

/** Words of the report: `target` "SentinelOne", `items` "IOCs", `id` "uuid" (JSON: `orphanUuids`, `withoutUuid`). */
export interface ReconcileNames {
  readonly target: string;
  readonly items: string;
  readonly id: string;
}

export interface ReconcileContext<R> {
  readonly settings: R;
  readonly loaded: LoadedPluginConfig<NamespaceSchema, R>;
  readonly agents: HttpAgents;
  readonly logger: Logger;
  /** The command's private registry (the target's own counters go here too). */
  readonly metrics: Metrics;
  deadLetter<T>(path: string): JsonLinesFile<T>;
}

/** One run's target side. `P` is what the connector sends, `Rec` what the target lists. */
export interface ReconcileTarget<P, Rec> extends ReconcileItems<P, Rec> {
  readonly target: SinkTarget<P>;
  /** One page of the full listing, every record as the target returns it. */
  listRaw(cursor: string | undefined, signal: AbortSignal): Promise<RawPage<Rec>>;
  /** The connector's own index: `--apply` rebuilds it; a dry run uses a scratch file with this identity. */
  readonly index: TargetIndexOptions;
  /** The sink's options (`requestsPerMinute` is the default of `--requests-per-minute`). */
  readonly options: SinkOptions;
  /** Where the target is looked at, for the report (e.g. `{ accountId: "…" }`). */
  readonly scope: object;
}

/** How items are mapped, keyed and compared (no network: what the diff needs). */
export interface ReconcileItems<P, Rec> {
  /** The source the connector's records carry; records of other sources are counted, never touched. */
  readonly source: string;
  /** An indicator's payloads (a string: why it maps to none). */
  map(indicator: StixObject, now: number): readonly P[] | string;
  /** The key of one item (payload or record; undefined: a record that cannot be matched). */
  key(item: P | Rec): string | undefined;
  /** A key's parts for the report, e.g. `{ externalId, type, value }`. */
  describeKey(key: string): Readonly<Record<string, string>>;
  /** The record's source, remote id and sink key (the indicator it stands for, "" when unknown). */
  sourceOf(record: Rec): unknown;
  idOf(record: Rec): unknown;
  groupOf(record: Rec): string;
  /** The sink's fingerprint of a payload, or of a record as listed. */
  fingerprint(item: P | Rec): string;
  /** The fields whose difference makes a record stale. */
  readonly fields: readonly ComparedField<P | Rec, Rec>[];
}

export interface ReconcileSpec<S extends NamespaceSchema, R, H extends StreamEventHandler, P, Rec> {
  readonly plugin: ConnectorPlugin<S, R, H>;
  readonly names: ReconcileNames;
  /** The command's pace when `--requests-per-minute` is not given (default: the connector's sink setting). */
  readonly requestsPerMinute?: number;
  /** Opens the target side once the configuration is loaded (no request yet). */
  open(ctx: ReconcileContext<R>): ReconcileTarget<P, Rec>;
}

/** Types a spec from its plugin and target (no annotation needed at the call). */
export const defineReconcile = <S extends NamespaceSchema, R, H extends StreamEventHandler, P, Rec>(
  spec: ReconcileSpec<S, R, H, P, Rec>,
): ReconcileSpec<S, R, H, P, Rec> => spec;
