import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import type { StoredIoc } from "@octi/connector-sentinelone-intel/simulator";
import { describe, expect, it } from "vitest";
import { buildChurnFeed, checkChurn, fateOf, s1Time } from "../src/churn-workload.js";
import { type ConnectorLaunch, connectorEnv } from "../src/connector.js";
import { percentile, summarize } from "../src/measure.js";
import { parseBenchArgs, UsageError } from "../src/options.js";
import {
  parseLaunch,
  reconcileScriptNodeFlags,
  resolveAssignments,
  startScriptEnv,
  startScriptNodeFlags,
} from "../src/paths.js";
import { readProc } from "../src/proc.js";
import { areaOf } from "../src/profile.js";
import { CHUNK_EVENTS, composition, planChunk } from "../src/workload.js";

describe("options", () => {
  it("has the issue's defaults", () => {
    const o = parseBenchArgs([])!;
    expect(o).toMatchObject({ backfill: 100_000, liveRate: 500, liveSeconds: 30, rateLimited: 20_000, baseline: 500 });
    expect(o.memory).toEqual([10_000, 100_000, 1_000_000]);
    expect(o.only).toEqual(["backfill", "live", "rate-limited", "baseline", "memory", "churn", "reconcile"]);
    expect(o).toMatchObject({ churn: 10_000, churnRpm: 30, churnDeadlineSeconds: 300, churnKills: 3 });
    expect(o).toMatchObject({ reconcile: 100_000, reconcileRpm: 30 });
    expect(o.profile).toBe(false);
  });

  it("--quick shrinks the sizes; explicit options win", () => {
    expect(parseBenchArgs(["--quick"])).toMatchObject({ reconcile: 2_000, reconcileRpm: 6_000 });
    expect(parseBenchArgs(["--reconcile", "5000", "--reconcile-rpm", "60"])).toMatchObject({
      reconcile: 5_000,
      reconcileRpm: 60,
    });
    const o = parseBenchArgs(["--quick", "--backfill", "7000"])!;
    expect(o.quick).toBe(true);
    expect(o.backfill).toBe(7000);
    expect(o.liveSeconds).toBeLessThan(30);
  });

  it("parses --only (profile included), --memory and --connector-env", () => {
    const o = parseBenchArgs([
      "--only",
      "live,backfill,profile",
      "--memory",
      "1_000,2000",
      "--connector-env",
      "A=1",
      "--connector-env",
      "NODE_OPTIONS=--max-old-space-size=64",
    ])!;
    expect(o.only).toEqual(["backfill", "live"]);
    expect(o.profile).toBe(true);
    expect(o.memory).toEqual([1000, 2000]);
    expect(o.connectorEnv).toEqual({ A: "1", NODE_OPTIONS: "--max-old-space-size=64" });
  });

  it("runs the connector with the root start script's node flags unless --bare", () => {
    expect(parseBenchArgs([])!.deployed).toBe(true);
    expect(parseBenchArgs(["--deployed"])!.deployed).toBe(true);
    expect(parseBenchArgs(["--bare"])!.deployed).toBe(false);
    const flags = startScriptNodeFlags();
    expect(Array.isArray(flags)).toBe(true);
    for (const flag of flags) expect(flag).toMatch(/^--[\w-]+/);
    // npm run reconcile's own flags (a smaller young generation than npm start's).
    expect(reconcileScriptNodeFlags()).toContain("--max-old-space-size=128");
  });

  it("gives the connector the variables the start script sets before node, resolved as sh would", () => {
    const limit = `LIMIT=$${"{"}LIMIT:-2}`; // sh's "use the default when unset or empty"
    const launch = parseLaunch(
      `A=1 turbo run build --output-logs=errors-only && ${limit} OTHER=$HOME/x node --f=1 --g dir/main.js`,
      "dir/main.js",
    );
    expect(launch).toEqual({ assignments: [limit, "OTHER=$HOME/x"], flags: ["--f=1", "--g"] });
    expect(resolveAssignments(launch.assignments, { HOME: "/home/u" })).toEqual({ LIMIT: "2", OTHER: "/home/u/x" });
    expect(resolveAssignments(launch.assignments, { LIMIT: "8" })).toEqual({ LIMIT: "8", OTHER: "/x" });
    expect(() => parseLaunch("node other.js", "dir/main.js")).toThrow(/dir\/main\.js/);
    // The root npm start script: glibc's malloc arenas limited (peak RSS at 1,000,000 IOCs, docs/benchmarks.md).
    expect(startScriptEnv({})).toEqual({ MALLOC_ARENA_MAX: "2" });
  });

  it("refuses bad values", () => {
    expect(() => parseBenchArgs(["--backfill", "ten"])).toThrow(UsageError);
    expect(() => parseBenchArgs(["--only", "nope"])).toThrow(UsageError);
    expect(() => parseBenchArgs(["--unknown"])).toThrow(UsageError);
    expect(parseBenchArgs(["--help"])).toBeUndefined();
  });
});

describe("workload", () => {
  it("splits chunks into supported and unsupported events", () => {
    const plan = planChunk(CHUNK_EVENTS);
    expect(plan.feed + plan.md5 + plan.sha1 + plan.unsupported).toBe(CHUNK_EVENTS);
    expect(plan.unsupported).toBe(80);
    const c = composition(100_000);
    expect(c.supported + c.unsupported).toBe(100_000);
    const byType = Object.values(c.byType).reduce((a, b) => a + b, 0);
    expect(byType).toBe(100_000);
    expect(composition(1).supported).toBe(1);
  });
});

describe("statistics", () => {
  it("nearest-rank percentiles", () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(values, 50)).toBe(50);
    expect(percentile(values, 99)).toBe(99);
    expect(percentile(values, 100)).toBe(100);
    expect(summarize([3, 1, 2])).toMatchObject({ count: 3, min: 1, max: 3, p50: 2 });
  });
});

describe("proc figures", () => {
  it("reads the main thread's CPU apart from the process' (a worker's work counts only in the total)", async () => {
    const before = readProc(process.pid)!;
    // A fixed amount of CPU work (about 0.3 s here), on a worker: it takes as long as it needs on a busy machine.
    const work = "require('node:crypto').pbkdf2Sync('x', 'y', 1000000, 32, 'sha256');";
    await new Promise((resolve, reject) =>
      new Worker(work, { eval: true }).once("exit", resolve).once("error", reject),
    );
    const after = readProc(process.pid)!;
    const total = after.cpuSeconds - before.cpuSeconds;
    const main = after.mainThreadSeconds - before.mainThreadSeconds;
    expect(after.mainThreadSeconds).toBeLessThanOrEqual(after.cpuSeconds);
    // The total took the worker's work, the main thread (waiting) did not.
    expect(total - main).toBeGreaterThanOrEqual(0.1);
  });
});

describe("profile areas", () => {
  it("charges frames to SDK / connector folders, packages and Node", () => {
    const frame = (url: string, functionName = "f") => ({ functionName, url, lineNumber: 0, columnNumber: 0 });
    expect(areaOf(frame("file:///r/connector-sdk/dist/stream/live-stream.js"))).toBe("sdk: stream");
    expect(areaOf(frame("file:///r/connectors/sentinelone-intel/dist/handler.js"))).toBe("connector: handler");
    expect(areaOf(frame("file:///r/node_modules/axios/lib/core/Axios.js"))).toBe("npm: axios");
    expect(areaOf(frame("node:internal/streams/readable"))).toBe("node:internal/streams/readable");
    expect(areaOf(frame("", "(garbage collector)"))).toBe("GC");
  });
});

describe("churn feed and check", () => {
  const t0 = new Date("2026-06-01T12:00:00.000Z");
  const feed = buildChurnFeed(9, "unit", t0);
  const EXT = "extension-definition--ea279b3e-5c71-4632-ac08-831c66a786ba";
  // What a perfect connector leaves in SentinelOne: one IOC per indicator not revoked, with its last valid_until.
  const perfect = (): StoredIoc[] => {
    const out: StoredIoc[] = [];
    for (const [id, want] of feed.expected) {
      if (want.present) {
        out.push({ externalId: id, validUntil: want.validUntil, originalRiskScore: want.score } as StoredIoc);
      }
    }
    return out;
  };

  it("has creates, two score updates per indicator (a patch on the extension's score), then revocations / valid_until", () => {
    expect(feed.creates).toHaveLength(9);
    expect(feed.scoreUpdates).toHaveLength(18);
    expect(feed.finalUpdates).toHaveLength(6);
    const first = feed.scoreUpdates[0]!;
    expect(first.event).toBe("update");
    const patch = (first.context as { patch: { op: string; path: string; value: unknown }[] }).patch;
    expect(patch).toContainEqual({ op: "replace", path: `/extensions/${EXT}/score`, value: 60 });
    expect(feed.scoreUpdates[9]!.context).toMatchObject({
      patch: expect.arrayContaining([{ op: "replace", path: `/extensions/${EXT}/score`, value: 40 }]),
    });
    const revoke = (feed.finalUpdates[0]!.context as { patch: { path: string; value: unknown }[] }).patch;
    expect(revoke).toContainEqual({ op: "replace", path: "/revoked", value: true });
    expect(feed.finalUpdates[1]!.data.valid_until).toBe("2026-06-13T12:00:01.234Z");
    expect([0, 1, 2, 3].map(fateOf)).toEqual(["revoked", "later-valid-until", "unchanged", "revoked"]);
    expect([...feed.expected.values()].filter((e) => e.present)).toHaveLength(6);
    expect(s1Time("2026-06-13T12:00:01.234Z")).toBe("2026-06-13T12:00:01.234000Z");
  });

  it("is settled only for exactly the expected IOCs with their current validUntil", () => {
    expect(checkChurn(perfect(), feed.expected)).toMatchObject({ settled: true, stored: 6, expectedPresent: 6 });
    const ids = [...feed.expected.keys()];
    const withRevoked = [...perfect(), { externalId: ids[0], validUntil: "x" } as StoredIoc];
    expect(checkChurn(withRevoked, feed.expected)).toMatchObject({ settled: false, leftovers: 1 });
    const dup = [...perfect(), perfect()[0]!];
    expect(checkChurn(dup, feed.expected)).toMatchObject({ settled: false, duplicates: 1 });
    const stale = perfect().map((ioc, i) => (i === 0 ? { ...ioc, validUntil: "2026-06-11T12:00:00.000000Z" } : ioc));
    expect(checkChurn(stale, feed.expected)).toMatchObject({ settled: false, staleValidUntil: 1 });
    const lost = perfect().slice(1);
    expect(checkChurn(lost, feed.expected)).toMatchObject({ settled: false, missing: 1 });
    const foreign = [...perfect(), { externalId: "indicator--other", validUntil: "x" } as StoredIoc];
    expect(checkChurn(foreign, feed.expected)).toMatchObject({ settled: false, unexpected: 1 });
    const oldScore = perfect().map((ioc) => ({ ...ioc, originalRiskScore: 80 }));
    expect(checkChurn(oldScore, feed.expected)).toMatchObject({ settled: true, staleScore: 6 });
  });
});

describe("connector environment", () => {
  it("replaces {workdir} in extra variables with the run's own directory, created", () => {
    const dir = mkdtempSync(join(tmpdir(), "octi-bench-env-"));
    try {
      const launch = {
        dir,
        label: "churn",
        opencti: { url: "http://127.0.0.1:1", token: "t", streamId: "s" },
        sentinelOne: { url: "http://127.0.0.1:2" },
        extraEnv: { SENTINELONE_INTEL_DATA_DIR: "{workdir}/index", OTHER: "plain" },
      } as unknown as ConnectorLaunch;
      const env = connectorEnv(launch);
      expect(env.SENTINELONE_INTEL_DATA_DIR).toBe(join(dir, "churn-work", "index"));
      expect(existsSync(join(dir, "churn-work"))).toBe(true);
      expect(env.OTHER).toBe("plain");
      expect(connectorEnv({ ...launch, cwd: join(dir, "w2") }).SENTINELONE_INTEL_DATA_DIR).toBe(
        join(dir, "w2", "index"),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
