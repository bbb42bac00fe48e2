/**
 * The SDK's `npm run reconcile` for any connector: a toy connector whose target is in memory (one record per
 * indicator, compared on name and labels) against the OpenCTI simulator over a real socket.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createEvent, makeIndicator, OpenCtiSimulator } from "@octi/connector-sdk-testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { RECONCILE_EXIT, reconcileCommand } from "../../src/reconcile/command.js";
import { defineReconcile } from "../../src/reconcile/spec.js";
import { definePlugin } from "../../src/runtime/plugin.js";
import type { FailureClass, ListedPage, SinkTarget } from "../../src/sink/types.js";
import { baseEnv } from "../runtime/harness.js";

interface Item {
  readonly externalId: string;
  readonly name: string;
  readonly labels: readonly string[];
}
interface Held extends Partial<Item> {
  readonly ref?: string;
  readonly source: string;
}

class MemoryTarget implements SinkTarget<Item> {
  readonly maxDeleteIds = 100;
  readonly name = "Memory";
  records: Held[] = [];
  readonly calls: string[] = [];
  private seq = 0;

  async create(items: readonly Item[]): Promise<readonly (string | undefined)[]> {
    this.calls.push(`create ${items.length}`);
    return items.map((item) => {
      const ref = `r${++this.seq}`;
      this.records.push({ ...item, ref, source: "octi" });
      return ref;
    });
  }
  async deleteIds(ids: readonly string[]): Promise<void> {
    this.calls.push(`delete ${ids.length}`);
    this.records = this.records.filter((r) => r.ref === undefined || !ids.includes(r.ref));
  }
  async deleteKey(): Promise<void> {
    throw new Error("not expected");
  }
  async listPage(): Promise<ListedPage> {
    throw new Error("the reconciliation lists through listRaw");
  }
  async listRaw(cursor: string | undefined) {
    this.calls.push("list");
    const from = Number(cursor ?? 0);
    const next = from + 2 < this.records.length ? String(from + 2) : null;
    return { records: this.records.slice(from, from + 2), nextCursor: next, total: this.records.length };
  }
  classify(error: unknown): FailureClass {
    return { kind: "fatal", message: error instanceof Error ? error.message : String(error) };
  }
  async refused(): Promise<void> {}
}

const plugin = definePlugin({
  manifest: { slug: "memory", namespace: "memory", version: "0.0.0", connectorDefaults: { name: "Memory" } },
  configSchema: {
    type: "object",
    properties: {
      source: { type: "string", default: "octi", description: "Source of our records" },
      data_dir: { type: "string", description: "Where the index lives" },
    },
    required: ["data_dir"],
  } as const,
  createHandler: () => ({ handle: async () => {} }),
});

const TOKEN = "memory-reconcile-token-5d1c";
const STREAM = "memory-stream";

describe("reconcileCommand (SDK, a target in memory)", () => {
  let sim: OpenCtiSimulator;
  let target: MemoryTarget;
  let dir: string;
  let out: string;
  let err: string;
  const spec = defineReconcile({
    plugin,
    names: { target: "Memory", items: "records", id: "ref" },
    open: ({ settings }) => ({
      target,
      listRaw: (cursor: string | undefined) => target.listRaw(cursor),
      index: { path: join(String(settings.data_dir), "index.sqlite"), identity: "memory" },
      options: {
        batchSize: 100,
        flushIntervalMs: 1000,
        maxPending: 100,
        retryBaseMs: 10,
        retryMaxDelayMs: 100,
        requestsPerMinute: 0,
        listingMarginMs: 0,
      },
      scope: { shelf: "one" },
      source: String(settings.source),
      map: (indicator) =>
        indicator.revoked === true
          ? "revoked"
          : [{ externalId: indicator.id, name: String(indicator.name), labels: ["a", "b"] }],
      key: (item: Item | Held) => item.externalId,
      describeKey: (key: string) => ({ externalId: key }),
      sourceOf: (record: Held) => record.source,
      idOf: (record: Held) => record.ref,
      groupOf: (record: Held) => record.externalId ?? "",
      fingerprint: (item: Item | Held) => `${item.name}|${[...(item.labels ?? [])].sort().join(",")}`,
      fields: [
        { name: "name", kind: "text", read: (item: Item | Held) => item.name },
        { name: "labels", kind: "set", read: (item: Item | Held) => item.labels },
      ],
    }),
  });
  const run = (argv: string[], env: Record<string, string> = baseEnv(sim.url, TOKEN, STREAM)) =>
    reconcileCommand(spec, argv, {
      out: (t) => {
        out += t;
      },
      err: (t) => {
        err += t;
      },
      env: { ...env, MEMORY_DATA_DIR: dir, CONNECTOR_LOG_LEVEL: "warn" },
      cwd: dir,
    });

  beforeEach(async () => {
    out = "";
    err = "";
    dir = mkdtempSync(join(tmpdir(), "sdk-reconcile-"));
    target = new MemoryTarget();
    sim = new OpenCtiSimulator({
      token: TOKEN,
      streams: [{ id: STREAM }],
      heartbeatIntervalMs: 100,
      idleHeartbeatsAdvance: true,
    });
    await sim.start();
  });
  afterEach(async () => {
    await sim.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** 6 indicators (one revoked); in the target: 3 in sync (labels in another order), 1 renamed, 1 copied. */
  function tampered() {
    const indicators = Array.from({ length: 6 }, (_, i) =>
      makeIndicator({ pattern: `[ipv4-addr:value = '192.0.2.${i + 1}']`, seed: `memory-${i}`, revoked: i === 5 }),
    );
    for (const indicator of indicators) sim.publish(createEvent(indicator), STREAM);
    const held = (i: number, extra: Partial<Held> = {}): Held => ({
      externalId: indicators[i]?.id ?? "",
      name: String(indicators[i]?.name),
      labels: ["b", "a", "a"],
      source: "octi",
      ref: `old-${i}-${extra.name ?? ""}${extra.ref ?? ""}`,
      ...extra,
    });
    target.records = [
      held(0),
      held(1),
      held(1, { ref: "copy" }),
      held(2, { name: "renamed" }),
      held(3),
      held(5), // revoked: an orphan
      { externalId: "gone", name: "x", labels: [], source: "octi", ref: "orphan" },
      { externalId: indicators[0]?.id ?? "", source: "another", ref: "theirs" },
      { externalId: "no ref", source: "octi" },
    ];
    return indicators;
  }

  it("a dry run reports each category in the connector's words, exits 3 and only lists", async () => {
    tampered();
    expect(await run(["--json"])).toBe(RECONCILE_EXIT.drift);
    expect(err).not.toContain("reconcile failed");
    const report = JSON.parse(out);
    expect(report.counts).toMatchObject({
      indicators: 6,
      expectedRecords: 5,
      inSync: 3,
      missing: 1,
      orphans: 2,
      duplicates: 1,
      stale: 1,
      staleByField: { name: 1, labels: 0 },
      otherSources: 1,
      withoutRef: 1,
      skipped: { revoked: 1 },
    });
    expect(report.samples.orphanRefs.sort()).toEqual(["old-5-", "orphan"]);
    expect(report.samples.duplicateRefs).toHaveLength(1);
    expect(report.samples.stale).toEqual([expect.objectContaining({ ref: "old-2-renamed", fields: ["name"] })]);
    expect(report.memory).toMatchObject({ pages: 5, totalItems: 9, rateLimited: 0, requests: { list: 5 } });
    expect(target.calls.every((c) => c === "list")).toBe(true);
  });

  it("--apply repairs through the sink queue (deletes, then creates), exits 0; a dry run then finds it in sync", async () => {
    const indicators = tampered();
    expect(await run(["--apply"])).toBe(RECONCILE_EXIT.inSync);
    expect(err).not.toContain("reconcile failed");
    expect(out).toContain("Repaired: 2 records created, 4 deleted.");
    expect(target.calls.filter((c) => c !== "list")).toEqual(["delete 4", "create 2"]);
    const ours = target.records.filter((r) => r.source === "octi" && r.ref !== undefined);
    expect(ours.map((r) => r.externalId).sort()).toEqual(
      indicators
        .slice(0, 5)
        .map((i) => i.id)
        .sort(),
    );

    out = "";
    expect(await run([])).toBe(RECONCILE_EXIT.inSync);
    expect(out).toMatch(/in sync\s+5\s+-/);
    expect(out).toContain("In sync: nothing to repair.");
    expect(out).toMatch(/other sources\s+1\s+never touched/);
    expect(out).toMatch(/without ref\s+1/);
  });

  it("usage errors exit 2 and send nothing; --help prints the usage; an invalid configuration exits 1", async () => {
    expect(await run(["--bogus"])).toBe(RECONCILE_EXIT.usage);
    expect(err).toContain("unknown option --bogus");
    expect(await run(["--requests-per-minute", "fast"])).toBe(RECONCILE_EXIT.usage);
    expect(err).toContain("--requests-per-minute must be a whole number");
    expect(await run(["extra"])).toBe(RECONCILE_EXIT.usage);
    expect(target.calls).toEqual([]);
    expect(await run(["--help"])).toBe(RECONCILE_EXIT.inSync);
    expect(out).toContain("Usage: npm run reconcile");
    const env = baseEnv(sim.url, TOKEN, STREAM);
    delete env.OPENCTI_URL;
    expect(await run([], env)).toBe(RECONCILE_EXIT.error);
    expect(err).toContain("OPENCTI_URL");
  });
});
