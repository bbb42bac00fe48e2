/**
 * A scheduled reconciliation (`SENTINELONE_INTEL_RECONCILE_INTERVAL`) with nothing changed sends nothing, also for
 * IOCs whose `validUntil` SentinelOne clamped (IPv4: at most 30 days after the upload, reference §2.3): the index
 * rebuilt from the listing must not hold a fingerprint that differs from the payload's only by that clamp, or every
 * reconciliation would replace those IOCs (DELETE, then POST).
 */
import { createEvent } from "@octi/connector-sdk-testing";
import { describe, expect, it } from "vitest";
import {
  connectorEnv,
  OUR_SOURCE,
  publishFeed,
  startInProcess,
  startSims,
  useScenarioHooks,
  waitFor,
  waitUntilDelivered,
} from "../faults/harness.js";
import { DAY_MS, ipIndicator, ipValue } from "../faults/ip-indicators.js";

useScenarioHooks();

describe("scheduled reconciliation and SentinelOne's validUntil clamp", () => {
  it("a reconciliation with no change sends no POST or DELETE, clamped IOCs included", async () => {
    const count = 200;
    const { octi, s1 } = await startSims({ idleHeartbeatsAdvance: true });
    const env = await connectorEnv({
      octiUrl: octi.url,
      s1Url: s1.url,
      extra: { SENTINELONE_INTEL_RECONCILE_INTERVAL: "0.0005" }, // 1.8 s
    });
    // Even indicators valid for 60 days (clamped to 30), odd ones for 10 (stored as sent).
    const validUntil = (i: number) => Date.now() + (i % 2 === 0 ? 60 : 10) * DAY_MS;
    const feed = publishFeed(
      octi,
      Array.from({ length: count }, (_, i) => {
        const indicator = ipIndicator(i, "clamp", { validUntil: validUntil(i) });
        return {
          event: createEvent(indicator),
          changes: [{ externalId: indicator.id, iocs: [{ type: "IPV4" as const, value: ipValue(i) }] }],
          label: "create",
        };
      }),
    );
    const run = await startInProcess("scheduled clamp", env);
    await waitUntilDelivered(octi, env.CONNECTOR_ID!, feed.lastId, "first sync", 60_000);
    const ours = () => s1.iocs().filter((r) => r.source === OUR_SOURCE);
    const clamped = ours().filter((r) => Date.parse(String(r.validUntil)) < Date.now() + 31 * DAY_MS);
    expect(clamped.length).toBeGreaterThanOrEqual(count); // the odd ones, and the even ones clamped

    const sweeps = () => run.logs.lines().filter((l) => l.message.startsWith("Sweep over")).length;
    const writes = () => s1.requests.filter((r) => r.method === "POST" || r.method === "DELETE").length;
    const listings = () => s1.requests.filter((r) => r.method === "GET").length;
    // The first scheduled reconciliation after the sync: its rebuilt index is what the next one compares with.
    const first = sweeps() + 1;
    await waitFor(() => sweeps() >= first && run.pending() === 0, "a scheduled reconciliation", 60_000);
    const writesBefore = writes();
    const listingsBefore = listings();
    await waitFor(() => sweeps() >= first + 2 && run.pending() === 0, "two more reconciliations", 60_000);

    expect(listings()).toBeGreaterThan(listingsBefore); // the index was rebuilt from SentinelOne meanwhile
    expect(writes() - writesBefore).toBe(0);
    expect(ours()).toHaveLength(count);
    expect(run.ended()).toBe(false);
  }, 120_000);
});
