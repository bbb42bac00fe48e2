import type { SnapshotObject } from "@octi/connector-sdk";
import { makeIndicator } from "@octi/connector-sdk-testing";
import { describe, expect, it } from "vitest";
import { mapIndicator } from "../../src/mapping/ioc-builder.js";
import { applyPlan, type RepairApi } from "../../src/reconcile/apply.js";
import type { DriftPlan } from "../../src/reconcile/diff.js";
import { PacedCalls } from "../../src/reconcile/paced-calls.js";
import { SentinelOneApiError } from "../../src/sentinelone/errors.js";
import type { IocPayload } from "../../src/sentinelone/types.js";

const NOW = Date.parse("2026-03-01T00:00:00.000Z");
const ind = (n: number) =>
  makeIndicator({ pattern: `[ipv4-addr:value = '10.9.${n >> 8}.${n & 255}']`, seed: `apply-${n}`, now: new Date(NOW) });

async function* snapshotOf(objects: readonly Record<string, unknown>[]): AsyncGenerator<SnapshotObject> {
  for (const data of objects) {
    yield { streamId: "1-0", dependency: false, data: { ...data, id: String(data.id), type: String(data.type) } };
  }
}

class RecordingApi implements RepairApi {
  readonly creates: IocPayload[][] = [];
  readonly deletes: string[][] = [];
  failCreates = 0;
  failStatus: 429 | 503 = 503;
  async createIocs(iocs: readonly IocPayload[]) {
    if (this.failCreates-- > 0) {
      throw new SentinelOneApiError(`SentinelOne POST failed: HTTP ${this.failStatus}`, {
        method: "POST",
        path: "/x",
        status: this.failStatus,
        kind: this.failStatus === 429 ? "rate_limited" : "unavailable",
        retryAfterMs: 0,
      });
    }
    this.creates.push([...iocs]);
  }
  async deleteByUuids(uuids: readonly string[]) {
    this.deletes.push([...uuids]);
    return uuids.length;
  }
}

const options = (batchSize = 2) => ({
  source: "OpenCTI",
  map: mapIndicator,
  now: NOW,
  batchSize,
  calls: new PacedCalls({ requestsPerMinute: 0 }),
});

const identity = (n: number) => ({ externalId: ind(n).id, type: "IPV4", value: `10.9.${n >> 8}.${n & 255}` });

describe("applyPlan", () => {
  it("creates only the needed IOCs, in batches, then deletes orphans, duplicates and the stale records", async () => {
    const api = new RecordingApi();
    const plan: DriftPlan = {
      missing: [identity(1), identity(2), identity(3)],
      orphanUuids: ["o1", "o2"],
      duplicateUuids: ["d1"],
      stale: [{ ...identity(4), uuid: "s4", fields: ["validUntil"] }],
    };
    const snapshot = snapshotOf([ind(0), ind(1), ind(2), ind(3), ind(4), ind(5)]);
    const result = await applyPlan(api, plan, snapshot, options(2));
    expect(result).toEqual({ created: 4, deleted: 4, vanished: 0 });
    expect(api.creates.map((batch) => batch.map((p) => p.externalId))).toEqual([
      [ind(1).id, ind(2).id],
      [ind(3).id, ind(4).id],
    ]);
    expect(api.deletes).toEqual([["o1", "o2", "d1", "s4"]]);
  });

  it("deletes at most 5,000 uuids per request", async () => {
    const api = new RecordingApi();
    const orphanUuids = Array.from({ length: 12_001 }, (_, i) => `u${i}`);
    const result = await applyPlan(
      api,
      { missing: [], orphanUuids, duplicateUuids: [], stale: [] },
      snapshotOf([]),
      options(),
    );
    expect(api.deletes.map((d) => d.length)).toEqual([5000, 5000, 2001]);
    expect(result.deleted).toBe(12_001);
  });

  it("an IOC the second snapshot no longer has is counted as vanished, not created", async () => {
    const api = new RecordingApi();
    const plan: DriftPlan = { missing: [identity(1), identity(2)], orphanUuids: [], duplicateUuids: [], stale: [] };
    const result = await applyPlan(api, plan, snapshotOf([ind(1)]), options());
    expect(result).toEqual({ created: 1, deleted: 0, vanished: 1 });
  });

  it("a create refused with 429 (not landed) is waited out and sent again", async () => {
    const api = new RecordingApi();
    api.failCreates = 2;
    api.failStatus = 429;
    const calls = new PacedCalls({ requestsPerMinute: 0 });
    const plan: DriftPlan = { missing: [identity(1)], orphanUuids: [], duplicateUuids: [], stale: [] };
    const result = await applyPlan(api, plan, snapshotOf([ind(1)]), { ...options(), calls });
    expect(result.created).toBe(1);
    expect(api.creates).toHaveLength(1);
    expect(calls.stats).toMatchObject({ requests: 3, rateLimited: 2 });
  });

  it("a create whose outcome is unknown (503) stops the run and says to run it again; nothing is deleted", async () => {
    const api = new RecordingApi();
    api.failCreates = 1;
    const plan: DriftPlan = { missing: [identity(1)], orphanUuids: ["o1"], duplicateUuids: [], stale: [] };
    await expect(applyPlan(api, plan, snapshotOf([ind(1)]), options())).rejects.toThrow(
      /may have been applied: run the reconciliation again/,
    );
    expect(api.deletes).toEqual([]);
  });
});
