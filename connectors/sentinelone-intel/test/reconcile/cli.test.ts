/**
 * `npm run reconcile` (its command, with environment configuration as a user gives it) between the OpenCTI
 * simulator and a SentinelOne simulator tampered with behind the connector's back.
 */
import { createHash, randomUUID } from "node:crypto";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RECONCILE_EXIT as EXIT, reconcileCommand, TargetIndex } from "@octi/connector-sdk";
import { createEvent, deleteEvent, makeIndicator, OpenCtiSimulator } from "@octi/connector-sdk-testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DEFAULT_ACCOUNT_ID, DEFAULT_API_TOKEN, SentinelOneSimulator } from "../../dev/simulator/index.js";
import { mapIndicator } from "../../src/mapping/ioc-builder.js";
import { reconcileSpec } from "../../src/reconcile/spec.js";
import { indexIdentity } from "../../src/sentinelone/push-queue.js";
import type { IocPayload } from "../../src/sentinelone/types.js";

const STREAM = "reconcile-stream";
const OCTI_TOKEN = "octi-reconcile-token-7f3a";
const SOURCE = "OpenCTI";
const IOCS = "/web/api/v2.1/threat-intelligence/iocs";

type Indicator = ReturnType<typeof makeIndicator>;

function indicators(count: number): Indicator[] {
  return Array.from({ length: count }, (_, i) =>
    i % 5 === 4
      ? makeIndicator({
          pattern: `[file:hashes.'SHA-256' = '${createHash("sha256").update(`file ${i}`).digest("hex")}']`,
          seed: `reconcile-${i}`,
        })
      : makeIndicator({ pattern: `[ipv4-addr:value = '192.0.2.${i + 1}']`, seed: `reconcile-${i}` }),
  );
}

function payload(indicator: Indicator): IocPayload {
  const mapping = mapIndicator(indicator, { source: SOURCE, now: Date.now() });
  if (mapping.kind === "skip") throw new Error(`does not map: ${mapping.reason}`);
  return mapping.payloads[0]!;
}

describe("npm run reconcile (dry run)", () => {
  let octi: OpenCtiSimulator;
  let s1: SentinelOneSimulator;
  let s1Url: string;
  let dir: string;
  let out: string;
  let err: string;

  /** What the connector pushed while in sync (the same request it sends). */
  async function post(data: readonly IocPayload[]): Promise<void> {
    const response = await fetch(`${s1Url}${IOCS}`, {
      method: "POST",
      headers: { authorization: `ApiToken ${DEFAULT_API_TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ filter: { accountIds: [DEFAULT_ACCOUNT_ID] }, data }),
    });
    expect(response.status).toBe(200);
  }
  const uuidsOf = (externalId: string) =>
    s1
      .iocs()
      .filter((r) => r.externalId === externalId)
      .map((r) => r.uuid);

  const env = (extra: Record<string, string> = {}) => ({
    OPENCTI_URL: octi.url,
    OPENCTI_TOKEN: OCTI_TOKEN,
    CONNECTOR_ID: randomUUID(),
    CONNECTOR_LIVE_STREAM_ID: STREAM,
    CONNECTOR_LOG_LEVEL: "info",
    SENTINELONE_INTEL_API_URL: s1Url,
    SENTINELONE_INTEL_API_KEY: DEFAULT_API_TOKEN,
    SENTINELONE_INTEL_ACCOUNT_ID: DEFAULT_ACCOUNT_ID,
    SENTINELONE_INTEL_SOURCE: SOURCE,
    SENTINELONE_INTEL_DATA_DIR: join(dir, "data"),
    ...extra,
  });

  const run = (
    argv: string[],
    variables: Readonly<Record<string, string | undefined>> = env(),
    progress?: { isTTY: boolean; columns: number; write: (text: string) => void },
  ) =>
    reconcileCommand(reconcileSpec, argv, {
      ...(progress ? { progress } : {}),
      out: (text) => {
        out += text;
      },
      err: (text) => {
        err += text;
      },
      env: variables,
      cwd: dir,
    });

  beforeEach(async () => {
    out = "";
    err = "";
    dir = mkdtempSync(join(tmpdir(), "reconcile-cli-"));
    octi = new OpenCtiSimulator({
      token: OCTI_TOKEN,
      streams: [{ id: STREAM }],
      heartbeatIntervalMs: 100,
      idleHeartbeatsAdvance: true,
    });
    await octi.start();
    s1 = new SentinelOneSimulator();
    s1Url = await s1.start();
  });

  afterEach(async () => {
    await s1.stop();
    await octi.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /**
   * 50 live indicators and one deleted, all pushed; then, behind the connector's back, in the console: 5 removed,
   * 7 orphans of our source, 4 duplicated, 3 given another validUntil and 2 another name, 6 of another source (this
   * console ignores `source` on GET: they are listed).
   */
  async function tampered() {
    const live = indicators(50);
    const gone = makeIndicator({ pattern: "[ipv4-addr:value = '198.51.100.250']", seed: "reconcile-gone" });
    for (const indicator of [...live, gone]) octi.publish(createEvent(indicator), STREAM);
    octi.publish(deleteEvent(gone), STREAM);
    // What the connector pushed while in sync (gone's IOC included: its deletion never reached SentinelOne).
    await post([...live, gone].map(payload));

    for (const i of live.slice(0, 5)) s1.console.remove({ externalId: i.id });
    s1.console.add(
      Array.from({ length: 7 }, (_, i) => ({
        ...payload(live[10]!),
        value: `203.0.113.${i + 1}`,
        externalId: `indicator--${randomUUID()}`,
      })),
    );
    for (const i of live.slice(10, 14)) s1.console.duplicate({ externalId: i.id });
    const changed = live.slice(20, 23);
    const soon = new Date(Date.now() + 3 * 86_400_000).toISOString();
    for (const i of changed) s1.console.edit({ externalId: i.id }, { validUntil: soon });
    const renamed = live.slice(24, 26);
    for (const i of renamed) s1.console.edit({ externalId: i.id }, { name: "renamed in the console" });
    s1.console.add(live.slice(30, 36).map((i) => ({ ...payload(i), source: "Another feed" })));
    return { live, gone, changed, renamed };
  }

  it("reports each category's exact count on a tampered SentinelOne, exits 3 and changes nothing", async () => {
    const { gone, changed, renamed } = await tampered();
    const before = JSON.stringify(s1.iocs());
    const requestsBefore = s1.requests.length;

    const code = await run(["--json"]);
    expect(err).not.toContain("reconcile failed");
    expect(code).toBe(EXIT.drift);
    const report = JSON.parse(out) as {
      inSync: boolean;
      counts: Record<string, unknown>;
      samples: { orphanUuids: string[]; stale: { externalId: string; fields: string[] }[] };
    };
    expect(report.inSync).toBe(false);
    expect(report.counts).toMatchObject({
      indicators: 50,
      expectedIocs: 50,
      inSync: 40,
      missing: 5,
      orphans: 8,
      duplicates: 4,
      stale: 5,
      staleByField: { validUntil: 3, name: 2, description: 0, score: 0, labels: 0 },
      otherSources: 6,
    });
    expect(report.samples.stale.map((s) => s.externalId).sort()).toEqual(
      [...changed, ...renamed].map((i) => i.id).sort(),
    );
    expect(report.samples.orphanUuids).toEqual(expect.arrayContaining(uuidsOf(gone.id)));

    // A dry run: SentinelOne is exactly as before, and only GETs were sent.
    expect(JSON.stringify(s1.iocs())).toBe(before);
    expect(s1.requests.slice(requestsBefore).every((r) => r.method === "GET")).toBe(true);
    expect(s1.iocs().filter((r) => r.source === "Another feed")).toHaveLength(6);
    // Nothing on disk either: the dry run's index is in memory.
    expect(existsSync(join(dir, "data"))).toBe(false);
    // OpenCTI: read-only too (no registration, no ping).
    expect(octi.connectors()).toHaveLength(0);
    // Secrets never printed.
    expect(out + err).not.toContain(DEFAULT_API_TOKEN);
    expect(out + err).not.toContain(OCTI_TOKEN);
  });

  it("in sync: a summary table, exit 0", async () => {
    const live = indicators(12);
    for (const indicator of live) octi.publish(createEvent(indicator), STREAM);
    await post(live.map(payload));

    const code = await run([]);
    expect(code).toBe(EXIT.inSync);
    expect(out).toMatch(/in sync\s+12\s+-/);
    expect(out).toMatch(/missing\s+0\s+create/);
    expect(out).toContain("In sync: nothing to repair.");
  });

  it("on a terminal: a progress bar redrawn in place (events read, IOCs listed, requests left), then cleared", async () => {
    const live = indicators(12);
    for (const indicator of live) octi.publish(createEvent(indicator), STREAM);
    await post(live.map(payload));
    let bar = "";
    // Paced at 2/min: the one-page listing goes at once, the bar is drawn while the run ends.
    const code = await run(["--requests-per-minute", "2"], env(), {
      isTTY: true,
      columns: 200,
      write: (t) => (bar += t),
    });
    expect(code).toBe(EXIT.inSync);
    const frames = bar.split("\r\u001b[2K").filter((f) => f !== "");
    expect(frames.length).toBeGreaterThan(0);
    for (const f of frames)
      expect(f).toMatch(/^(reading OpenCTI's snapshot|listing SentinelOne|repairing): .*events read \d+/);
    expect(bar.endsWith("\r\u001b[2K")).toBe(true);
    expect(err).not.toContain("Progress:");
  });

  it("a refused SentinelOne API key: exit 1 with the reason, the key never printed", async () => {
    octi.publish(createEvent(indicators(1)[0]!), STREAM);
    const code = await run(["--json"], env({ SENTINELONE_INTEL_API_KEY: "wrong-key-0123456789" }));
    expect(code).toBe(EXIT.error);
    expect(err).toMatch(/reconcile failed: .*401/);
    expect(out + err).not.toContain("wrong-key-0123456789");
    expect(out).toBe("");
  });

  it("an invalid configuration: exit 1 naming the variable", async () => {
    const variables: Record<string, string> = env();
    delete variables.SENTINELONE_INTEL_API_URL;
    expect(await run([], variables)).toBe(EXIT.error);
    expect(err).toContain("SENTINELONE_INTEL_API_URL");
  });

  it("--apply repairs exactly (one DELETE by uuids, then one POST, through the sink queue), leaves the other source alone, exits 0", async () => {
    const { live } = await tampered();
    const others = JSON.stringify(s1.iocs().filter((r) => r.source === "Another feed"));
    const requestsBefore = s1.requests.length;

    const code = await run(["--apply", "--json"]);
    expect(err).not.toContain("reconcile failed");
    expect(code).toBe(EXIT.inSync);
    const report = JSON.parse(out) as { mode: string; repair: Record<string, number> };
    expect(report.mode).toBe("apply");
    // 5 missing + 5 stale replaced; 8 orphans + 4 duplicates + the 5 stale records.
    expect(report.repair).toEqual({ created: 10, deleted: 17 });
    const writes = s1.requests.slice(requestsBefore).filter((r) => r.method !== "GET");
    expect(writes.map((r) => r.method)).toEqual(["DELETE", "POST"]);

    // SentinelOne now holds exactly the expected IOCs of our source, each once and current.
    const ours = s1.iocs().filter((r) => r.source === SOURCE);
    expect(ours.map((r) => r.externalId).sort()).toEqual(live.map((i) => i.id).sort());
    for (const indicator of live) {
      const [record] = ours.filter((r) => r.externalId === indicator.id);
      expect(record?.name).toBe(payload(indicator).name);
    }
    expect(JSON.stringify(s1.iocs().filter((r) => r.source === "Another feed"))).toBe(others);

    // The connector's index was rebuilt from the listing and fed by the repairs: complete, exactly our records.
    const index = TargetIndex.open({
      path: join(dir, "data", "sentinelone-intel-index.sqlite"),
      identity: indexIdentity({ apiUrl: s1Url, scope: { accountId: DEFAULT_ACCOUNT_ID }, source: SOURCE }),
    });
    try {
      expect(index.complete).toBe(true);
      expect([...index.keys()].sort()).toEqual(live.map((i) => i.id).sort());
      for (const r of ours) expect(index.recordsOf(r.externalId ?? "").map((x) => x.id)).toContain(r.uuid);
    } finally {
      index.close();
    }

    // A dry run afterwards finds nothing to do.
    out = "";
    expect(await run([])).toBe(EXIT.inSync);
    expect(out).toContain("In sync: nothing to repair.");
  });

  it("unpaced against a rate-limited SentinelOne: 429s waited out and the request sent again, still exact", async () => {
    const { live } = await tampered();
    s1.setRateLimit({ requestsPerMinute: 60, burst: 1, retryAfter: "seconds", body: "html" });
    const code = await run(["--apply", "--json", "--requests-per-minute", "0"]);
    expect(err).not.toContain("reconcile failed");
    expect(code).toBe(EXIT.inSync);
    const report = JSON.parse(out) as { sentinelone: { rateLimited: number; requests: Record<string, number> } };
    expect(s1.stats().rateLimited).toBeGreaterThan(0);
    expect(report.sentinelone.rateLimited).toBe(s1.stats().rateLimited);
    // One listing page, one DELETE, one POST, plus each 429'd attempt sent again.
    const sent = Object.values(report.sentinelone.requests).reduce((a, b) => a + b, 0);
    expect(sent).toBe(3 + report.sentinelone.rateLimited);
    const ours = s1.iocs().filter((r) => r.source === SOURCE);
    expect(ours.map((r) => r.externalId).sort()).toEqual(live.map((i) => i.id).sort());
  });

  it("unknown options are usage errors and send nothing", async () => {
    expect(await run(["--bogus"])).toBe(EXIT.usage);
    expect(err).toContain("unknown option --bogus");
    expect(s1.requests).toHaveLength(0);
  });
});
