/**
 * Scenario 8: the SDK runtime's own guarantees, with the real SentinelOne connector (issue 13):
 * - ids shared by an event and the objects it references, which OpenCTI sends under the event's id whatever
 *   `no-dependencies` says: stream cuts and a restart between them lose and repeat nothing;
 * - a throwing handler: transient throws are retried, an event that keeps failing is written to the SDK's
 *   dead-letter file (secrets scrubbed) and only then acknowledged; nothing is acknowledged silently;
 * - a start-up failure (the metrics port is taken) ends the process with exit code 1 and the cause on stderr.
 */
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { dirname, join } from "node:path";
import type { EventContext, StreamEvent, StreamEventHandler } from "@octi/connector-sdk";
import { makeIdentity, makeTlpMarking } from "@octi/connector-sdk-testing";
import { describe, expect, it } from "vitest";
import { generateFeed } from "./feed.js";
import {
  budget,
  ConnectorProcess,
  compare,
  connectorEnv,
  ensureBuilt,
  plainRow,
  publishFeed,
  REPLAY_HISTORY,
  recordRow,
  rowFrom,
  SECRETS,
  SEED,
  sized,
  startInProcess,
  startSims,
  useScenarioHooks,
  waitFor,
  waitUntilDelivered,
} from "./harness.js";
import { describeReport, ExpectedIocs } from "./oracle.js";

const cleanups: (() => Promise<void>)[] = [];
useScenarioHooks(cleanups);

/** Wraps the real handler: throws for chosen SSE ids (a number of times, or always) before handing over. */
class FlakyHandler implements StreamEventHandler {
  constructor(
    private readonly real: StreamEventHandler,
    private readonly failures: Map<string, number>,
  ) {}

  start(): Promise<void> {
    return this.real.start?.() ?? Promise.resolve();
  }

  async handle(event: StreamEvent, context: EventContext): Promise<void> {
    const left = this.failures.get(event.id);
    if (left !== undefined && left > 0) {
      this.failures.set(event.id, left - 1);
      // The text echoes the SentinelOne key: it must be scrubbed wherever it is written.
      throw new Error(`injected failure for ${event.id} (APIToken ${SECRETS.sentinelOne})`);
    }
    return this.real.handle(event, context);
  }

  drain(deadline: number): Promise<void> {
    return this.real.drain?.(deadline) ?? Promise.resolve();
  }

  stop(): Promise<void> {
    return this.real.stop?.() ?? Promise.resolve();
  }
}

describe("8. SDK runtime faults", () => {
  it(
    "ids shared with referenced objects under no-dependencies=true: cuts every K, mid-event cuts and a restart lose and repeat nothing",
    async ({ task }) => {
      const startedAt = Date.now();
      const seed = `${SEED}:shared-ids`;
      const { octi, s1 } = await startSims();
      // Creates carry their author and marking: OpenCTI sends them first, under the create's id, whatever the flag.
      const steps = generateFeed({ count: sized(300, 3000), seed }).map((step, i) =>
        step.event.event === "create"
          ? {
              ...step,
              event: {
                ...step.event,
                dependencies: [
                  makeIdentity({ name: `Author ${i % 11}` }),
                  makeTlpMarking(i % 2 ? "TLP:GREEN" : "TLP:AMBER"),
                ],
              },
            }
          : step,
      );
      const feed = publishFeed(octi, steps);
      octi.dropEvery(29);
      octi.dropMidEventOnce();
      const env = await connectorEnv({
        octiUrl: octi.url,
        s1Url: s1.url,
        extra: { ...REPLAY_HISTORY, CONNECTOR_LIVE_STREAM_NO_DEPENDENCIES: "true" },
      });
      const first = await startInProcess("shared ids, first run", env);
      const received = async () =>
        (await first.run.metrics.sdk.eventsReceived.get()).values.reduce((n, v) => n + v.value, 0);
      await waitFor(async () => (await received()) >= feed.ids.length / 2, "half of the feed received", 60_000);
      const stopped = await first.run.stop("restart");
      expect(stopped.exitCode).toBe(0);
      octi.dropMidEventOnce();
      const second = await startInProcess("shared ids, second run", env);
      await waitUntilDelivered(octi, env.CONNECTOR_ID!, feed.lastId, "shared ids", budget(60_000, 300_000));
      expect(second.ended()).toBe(false);
      const reconnects = (await second.run.metrics.sdk.reconnects.get()).values[0]?.value ?? 0;
      const report = compare(feed, s1);
      recordRow(
        task,
        rowFrom(
          "8 runtime: shared ids (no-dependencies=true), cuts every 29 + mid-event + a restart",
          steps.length,
          report,
          0,
          startedAt,
          `stopped at ${stopped.state?.start_from}; ${reconnects} reconnects after the restart; seed ${seed}`,
        ),
      );
      expect(report.lost, describeReport(report)).toEqual([]);
      expect(report.unexpected, describeReport(report)).toEqual([]);
      expect(report.duplicates, describeReport(report)).toBe(0);
    },
    budget(90_000, 600_000),
  );

  it(
    "a throwing handler: transient throws retried, poison events dead-lettered, nothing acknowledged silently",
    async ({ task }) => {
      const startedAt = Date.now();
      const seed = `${SEED}:handler-errors`;
      const { octi, s1 } = await startSims();
      const steps = generateFeed({ count: sized(200, 1000), seed });
      const feed = publishFeed(octi, steps);
      const indicatorSteps = steps.flatMap((step, i) => (step.event.data.type === "indicator" ? [i] : []));
      const pick = (every: number, offset: number) => indicatorSteps.filter((_, n) => n % every === offset);
      // A poison event is one no later event builds on: the connector sends nothing for an update that changes no
      // field SentinelOne holds, so a dropped earlier update would otherwise stay visible (not an SDK matter).
      const lastOfItsIndicators = (i: number) =>
        (steps[i]!.changes ?? []).length > 0 &&
        (steps[i]!.changes ?? []).every((change) => feed.lastTouch.get(change.externalId) === i);
      const poison = new Set(indicatorSteps.filter(lastOfItsIndicators).filter((_, n) => n % 9 === 4));
      const transient = pick(23, 3).filter((i) => !poison.has(i));
      const failures = new Map<string, number>();
      for (const i of poison) failures.set(feed.ids[i]!, Number.POSITIVE_INFINITY);
      for (const i of transient) failures.set(feed.ids[i]!, 2);
      // What SentinelOne must hold: every step's changes but the poison events'.
      const expected = new ExpectedIocs();
      steps.forEach((step, i) => {
        if (!poison.has(i)) expected.apply(step.changes);
      });
      const env = await connectorEnv({
        octiUrl: octi.url,
        s1Url: s1.url,
        extra: { ...REPLAY_HISTORY, CONNECTOR_EVENT_MAX_ATTEMPTS: "3", CONNECTOR_EVENT_RETRY_MAX_DELAY: "1" },
      });
      const deadLetterPath = join(dirname(env.SENTINELONE_INTEL_DEAD_LETTER_PATH!), "events.dead-letter.jsonl");
      env.CONNECTOR_DEAD_LETTER_PATH = deadLetterPath;
      const connector = await startInProcess("handler errors", env, {
        wrap: (real) => new FlakyHandler(real, failures),
      });
      await waitUntilDelivered(octi, env.CONNECTOR_ID!, feed.lastId, "handler errors", budget(60_000, 300_000));
      expect(connector.ended()).toBe(false);
      const report = compare({ expected }, s1);
      const lines = readFileSync(deadLetterPath, "utf8").trim().split("\n");
      const records = lines.map((l) => JSON.parse(l) as { event_id: string; attempts: number; reason: string });
      const sdk = connector.run.metrics.sdk;
      const failed = (await sdk.eventsFailed.get()).values.reduce((n, v) => n + v.value, 0);
      const deadLettered = (await sdk.eventsDeadLettered.get()).values[0]?.value ?? 0;
      recordRow(
        task,
        rowFrom(
          "8 runtime: handler throws (transient retried, poison dead-lettered)",
          steps.length,
          report,
          0,
          startedAt,
          `${transient.length} transient (2 throws each), ${poison.size} poison (3 attempts), ${failed} failed attempts, ${deadLettered} dead-lettered; seed ${seed}`,
        ),
      );
      expect(poison.size).toBeGreaterThan(2);
      expect(records.map((r) => r.event_id).sort()).toEqual([...poison].map((i) => feed.ids[i]!).sort());
      expect(records.every((r) => r.attempts === 3 && r.reason.includes("[REDACTED]"))).toBe(true);
      expect(deadLettered).toBe(poison.size);
      expect(failed).toBe(2 * transient.length + 3 * poison.size);
      expect(connector.logs.count("Event handler kept failing; event written to the dead-letter file")).toBe(
        poison.size,
      );
      expect(report.lost, describeReport(report)).toEqual([]);
      expect(report.unexpected, describeReport(report)).toEqual([]);
      expect(report.duplicates, describeReport(report)).toBe(0);
    },
    budget(90_000, 600_000),
  );

  it(
    "a start-up failure (metrics port taken) ends the process with exit 1 and the cause on stderr",
    async ({ task }) => {
      const startedAt = Date.now();
      await ensureBuilt();
      const { octi, s1 } = await startSims();
      const blocker: Server = createServer();
      const port = await new Promise<number>((resolve, reject) => {
        blocker.once("error", reject);
        blocker.listen(0, "0.0.0.0", () => {
          const address = blocker.address();
          resolve(typeof address === "object" && address ? address.port : 0);
        });
      });
      cleanups.push(() => new Promise((resolve) => blocker.close(() => resolve())));
      const env = await connectorEnv({
        octiUrl: octi.url,
        s1Url: s1.url,
        extra: { CONNECTOR_EXPOSE_METRICS: "true", CONNECTOR_METRICS_PORT: String(port) },
      });
      const child = new ConnectorProcess("metrics port taken", env);
      const exit = await Promise.race([
        child.exited,
        new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 30_000)),
      ]);
      const failure = child.lines().find((l) => /Connector failed to start/.test(l.message));
      recordRow(
        task,
        plainRow(
          "8 runtime: start-up failure (metrics port taken)",
          0,
          startedAt,
          `exit ${exit?.code ?? "none (still running)"}; "${(failure?.message ?? "").slice(0, 90)}"`,
        ),
      );
      expect(exit?.code).toBe(1);
      expect(failure?.message).toMatch(new RegExp(`port ${port} \\(CONNECTOR_METRICS_PORT\\).*EADDRINUSE`));
      expect(octi.streamRequests).toHaveLength(0);
    },
    budget(90_000, 180_000),
  );
});
