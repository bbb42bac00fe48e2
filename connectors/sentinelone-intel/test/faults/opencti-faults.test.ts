/**
 * Scenario 4: OpenCTI misbehaves. The live stream is cut every K events and in the middle of an event, GraphQL
 * answers 502 for a while (registration and state pings), and OpenCTI is not there at all when the connector
 * starts. The connector (in-process, real runner) must lose nothing; a cut connection resumes from the last
 * received id (ADR 0001), so it must not repeat anything either.
 */
import { makeIdentity, makeTlpMarking } from "@octi/connector-sdk-testing";
import { describe, expect, it } from "vitest";
import { generateFeed } from "./feed.js";
import {
  budget,
  compare,
  connectorEnv,
  freePort,
  publishFeed,
  REPLAY_HISTORY,
  recordRow,
  rowFrom,
  SEED,
  sized,
  startInProcess,
  startSims,
  useScenarioHooks,
  waitFor,
  waitUntilDelivered,
} from "./harness.js";
import { describeReport } from "./oracle.js";

useScenarioHooks();

describe("4. OpenCTI faults", () => {
  it.for([
    { name: "the stream is dropped every K events and mid-event", dependencies: false, k: 37 },
    {
      name: "the same with dependencies (several messages per id, CONNECTOR_LIVE_STREAM_NO_DEPENDENCIES=false)",
      dependencies: true,
      k: 23,
    },
  ])(
    "$name: nothing lost, nothing repeated",
    { timeout: budget(90_000, 600_000) },
    async ({ name, dependencies, k }, { task }) => {
      const startedAt = Date.now();
      const seed = `${SEED}:drops:${dependencies}`;
      const sims = await startSims();
      const { octi, s1 } = sims;
      let steps = generateFeed({ count: sized(300, 3000), seed });
      if (dependencies) {
        // Creates carry their author and marking: sent first, with the create's id (an id group of 3 messages).
        steps = steps.map((step, i) =>
          step.event.event === "create"
            ? {
                ...step,
                event: {
                  ...step.event,
                  dependencies: [
                    makeIdentity({ name: `Author ${i % 7}` }),
                    makeTlpMarking(i % 2 ? "TLP:GREEN" : "TLP:AMBER"),
                  ],
                },
              }
            : step,
        );
      }
      const feed = publishFeed(octi, steps);
      octi.dropEvery(k);
      octi.dropMidEventOnce();
      const env = await connectorEnv({
        octiUrl: octi.url,
        s1Url: s1.url,
        extra: { ...REPLAY_HISTORY, CONNECTOR_LIVE_STREAM_NO_DEPENDENCIES: String(!dependencies) },
      });
      const connector = await startInProcess(name, env);
      const received = async () =>
        (await connector.run.metrics.sdk.eventsReceived.get()).values.reduce((n, v) => n + v.value, 0);
      // Cut mid-event again at a few points of the run.
      const cuts = sized(3, 10);
      for (let i = 1; i <= cuts; i++) {
        const at = Math.floor((feed.ids.length * i) / (cuts + 1));
        await waitFor(async () => (await received()) >= at, `event ${at} received`, budget(60_000, 300_000));
        octi.dropMidEventOnce();
      }
      await waitUntilDelivered(octi, env.CONNECTOR_ID!, feed.lastId, "drops", budget(60_000, 300_000));
      expect(connector.ended()).toBe(false);
      const reconnects = (await connector.run.metrics.sdk.reconnects.get()).values[0]?.value ?? 0;
      const malformed = (await connector.run.metrics.sdk.eventsMalformed.get()).values[0]?.value ?? 0;
      const messages = await received();
      const report = compare(feed, s1);
      recordRow(
        task,
        rowFrom(
          `4 OpenCTI: stream dropped every ${k} messages + ${cuts + 1} mid-event cuts${dependencies ? ", with dependencies" : ""}`,
          steps.length,
          report,
          0,
          startedAt,
          `${reconnects} reconnects, ${messages} messages received, ${malformed} malformed; seed ${seed}`,
        ),
      );
      expect(reconnects).toBeGreaterThanOrEqual(Math.floor(steps.length / k));
      expect(malformed, "a cut event is never handed over half-read").toBe(0);
      expect(report.lost, describeReport(report)).toEqual([]);
      expect(report.unexpected, describeReport(report)).toEqual([]);
      expect(report.duplicates, describeReport(report)).toBe(0);
    },
  );

  it(
    "GraphQL answers 502 for a while (registration, then state pings): nothing lost",
    async ({ task }) => {
      const startedAt = Date.now();
      const seed = `${SEED}:graphql`;
      const sims = await startSims();
      const { octi, s1 } = sims;
      const steps = generateFeed({ count: sized(200, 2000), seed });
      const half = Math.floor(steps.length / 2);
      const feed = publishFeed(octi, steps.slice(0, half));
      octi.failGraphql(sized(4, 10), 502);
      const env = await connectorEnv({ octiUrl: octi.url, s1Url: s1.url, extra: { ...REPLAY_HISTORY } });
      const connectorId = env.CONNECTOR_ID!;
      const connector = await startInProcess("graphql 502", env);
      await waitFor(() => octi.connector(connectorId)?.registeredCount, "registration through the 502s", 60_000);
      // Pings fail for a while; meanwhile more events arrive.
      octi.failGraphql(sized(3, 10), 502);
      const all = publishFeed(octi, steps.slice(half), feed);
      await waitUntilDelivered(octi, connectorId, all.lastId, "graphql 502", budget(60_000, 300_000));
      expect(connector.ended()).toBe(false);
      const pingErrors = (await connector.run.metrics.sdk.pingApiErrors.get()).values[0]?.value ?? 0;
      const report = compare(all, s1);
      const failed = octi.graphqlRequests.filter((r) => r.status === 502).length;
      recordRow(
        task,
        rowFrom(
          "4 OpenCTI: GraphQL 502 at start and during pings",
          steps.length,
          report,
          0,
          startedAt,
          `${failed} GraphQL 502s, ${pingErrors} failed pings; seed ${seed}`,
        ),
      );
      expect(connector.logs.count(/OpenCTI API is not reachable/)).toBeGreaterThan(0);
      expect(pingErrors).toBeGreaterThan(0);
      expect(report.lost, describeReport(report)).toEqual([]);
      expect(report.unexpected, describeReport(report)).toEqual([]);
      expect(report.duplicates).toBe(0);
    },
    budget(90_000, 600_000),
  );

  it(
    "OpenCTI absent at start-up (first start: recovery snapshot once it is there): nothing lost",
    async ({ task }) => {
      const startedAt = Date.now();
      const seed = `${SEED}:absent`;
      const port = await freePort();
      const sims = await startSims({ startOcti: false });
      const { octi, s1 } = sims;
      const steps = generateFeed({ count: sized(200, 2000), seed });
      const feed = publishFeed(octi, steps);
      // No REPLAY_HISTORY: a first start recovers the current state of every object (pycti's behaviour).
      const env = await connectorEnv({ octiUrl: `http://127.0.0.1:${port}`, s1Url: s1.url });
      const connector = await startInProcess("opencti absent", env);
      await waitFor(() => connector.logs.count(/OpenCTI API is not reachable/) >= 3, "three failed attempts", 30_000);
      expect(connector.ended()).toBe(false);
      await octi.start(port);
      await waitUntilDelivered(octi, env.CONNECTOR_ID!, feed.lastId, "absent", budget(60_000, 300_000));
      const report = compare(feed, s1);
      const attempts = connector.logs.count(/OpenCTI API is not reachable/);
      recordRow(
        task,
        rowFrom(
          "4 OpenCTI: absent at start-up, recovery snapshot",
          steps.length,
          report,
          0,
          startedAt,
          `${attempts} failed attempts before it listened; seed ${seed}`,
        ),
      );
      expect(report.lost, describeReport(report)).toEqual([]);
      expect(report.unexpected, describeReport(report)).toEqual([]);
      expect(report.duplicates).toBe(0);
    },
    budget(90_000, 600_000),
  );
});
