/**
 * The fault suite's oracle: what SentinelOne must hold after a feed, computed independently of the connector
 * (no mapping code of the connector is used: each feed step states the IOCs the indicator must have afterwards),
 * and the comparison with what the SentinelOne simulator actually holds.
 *
 * - `ExpectedIocs` is a replay of the feed: per indicator (externalId), the exact set of (type, value) it must
 *   have in SentinelOne after the last event that touched it. A create / update / merge target sets the set, a
 *   delete / revocation / merged-away source empties it.
 * - `compareIocs` counts, per (externalId, type, value):
 *   - lost: expected, absent;
 *   - duplicated: present more than once (`copies - 1` duplicates each);
 *   - unexpected: present and not expected (a delete that did not happen, an IOC of an indicator that must have
 *     none, an IOC of another source or without externalId, a wrong value …).
 */

export interface ExpectedIoc {
  readonly type: string;
  readonly value: string;
}

/** After an event, `externalId` must have exactly `iocs` in SentinelOne (empty: none). */
export interface OracleChange {
  readonly externalId: string;
  readonly iocs: readonly ExpectedIoc[];
}

/** What the SentinelOne simulator stores (`StoredIoc` fits). */
export interface ActualIoc {
  readonly externalId?: string | null;
  readonly type: string;
  readonly value: string;
  readonly source?: string;
}

export interface IocKey {
  readonly externalId: string;
  readonly type: string;
  readonly value: string;
}

export interface OracleReport {
  /** IOCs expected (distinct keys). */
  readonly expected: number;
  /** IOC records SentinelOne holds. */
  readonly actual: number;
  readonly lost: readonly IocKey[];
  /** Keys present more than once, with their number of copies. */
  readonly duplicated: readonly (IocKey & { readonly copies: number })[];
  /** Extra copies in total (sum of `copies - 1`). */
  readonly duplicates: number;
  readonly unexpected: readonly (IocKey & { readonly copies: number; readonly source?: string })[];
}

const SEP = "\u0000";

export function iocKey(externalId: string, type: string, value: string): string {
  return `${externalId}${SEP}${type}${SEP}${value}`;
}

function splitKey(key: string): IocKey {
  const [externalId = "", type = "", value = ""] = key.split(SEP);
  return { externalId, type, value };
}

/** The expected end state of a feed, built by applying each event's changes in stream order. */
export class ExpectedIocs {
  private readonly byIndicator = new Map<string, ReadonlyMap<string, ExpectedIoc>>();

  apply(changes: readonly OracleChange[] | undefined): void {
    for (const change of changes ?? []) {
      const set = new Map<string, ExpectedIoc>();
      for (const ioc of change.iocs) set.set(`${ioc.type}${SEP}${ioc.value}`, ioc);
      if (set.size === 0) this.byIndicator.delete(change.externalId);
      else this.byIndicator.set(change.externalId, set);
    }
  }

  /** Indicators that must have IOCs. */
  get indicators(): number {
    return this.byIndicator.size;
  }

  /** Every expected key. */
  keys(): Set<string> {
    const out = new Set<string>();
    for (const [externalId, set] of this.byIndicator) {
      for (const ioc of set.values()) out.add(iocKey(externalId, ioc.type, ioc.value));
    }
    return out;
  }

  /** The expected IOCs of one indicator (empty when it must have none). */
  of(externalId: string): ExpectedIoc[] {
    return [...(this.byIndicator.get(externalId)?.values() ?? [])];
  }
}

export interface CompareOptions {
  /** Only records of this source are the connector's (default: every record counts). */
  readonly source?: string;
}

export function compareIocs(
  expected: ExpectedIocs,
  actual: readonly ActualIoc[],
  options: CompareOptions = {},
): OracleReport {
  const want = expected.keys();
  const counts = new Map<string, { copies: number; source?: string }>();
  for (const record of actual) {
    const externalId = typeof record.externalId === "string" ? record.externalId : "<none>";
    // Another source's record is never ours to expect: make its key unmatchable.
    const foreign = options.source !== undefined && record.source !== options.source;
    const key = iocKey(
      foreign ? `<source ${String(record.source)}> ${externalId}` : externalId,
      record.type,
      record.value,
    );
    const entry = counts.get(key);
    if (entry) entry.copies++;
    else counts.set(key, { copies: 1, ...(record.source !== undefined ? { source: record.source } : {}) });
  }
  const lost: IocKey[] = [];
  for (const key of want) if (!counts.has(key)) lost.push(splitKey(key));
  const duplicated: (IocKey & { copies: number })[] = [];
  const unexpected: (IocKey & { copies: number; source?: string })[] = [];
  let duplicates = 0;
  for (const [key, entry] of counts) {
    if (!want.has(key)) {
      unexpected.push({ ...splitKey(key), ...entry });
      continue;
    }
    if (entry.copies > 1) {
      duplicated.push({ ...splitKey(key), copies: entry.copies });
      duplicates += entry.copies - 1;
    }
  }
  return { expected: want.size, actual: actual.length, lost, duplicated, duplicates, unexpected };
}

/** A short human summary (first `max` keys of each kind), for assertion messages. */
export function describeReport(report: OracleReport, max = 5): string {
  const show = (keys: readonly IocKey[]) =>
    keys
      .slice(0, max)
      .map((k) => `${k.externalId} ${k.type} ${JSON.stringify(k.value.slice(0, 80))}`)
      .join("; ") + (keys.length > max ? ` … (+${keys.length - max})` : "");
  return [
    `expected ${report.expected}, actual ${report.actual} records`,
    `lost ${report.lost.length}${report.lost.length ? `: ${show(report.lost)}` : ""}`,
    `duplicates ${report.duplicates}${report.duplicated.length ? `: ${show(report.duplicated)}` : ""}`,
    `unexpected ${report.unexpected.length}${report.unexpected.length ? `: ${show(report.unexpected)}` : ""}`,
  ].join("\n");
}
