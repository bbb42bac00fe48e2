/**
 * Scenario 5: hostile input. A generated corpus of malformed events (see corpus.ts) between valid ones: the process
 * stays up, each bad event is logged once with its id and a reason, every valid event around them is delivered,
 * and nothing of a bad event reaches SentinelOne. The parser's linearity is checked in parser-linearity.test.ts.
 */

import { createEvent } from "@octi/connector-sdk-testing";
import { describe, expect, it } from "vitest";
import { hostileCorpus, validIndicator } from "./corpus.js";
import { generateFeed } from "./feed.js";
import {
  budget,
  compare,
  connectorEnv,
  type PublishedFeed,
  publishFeed,
  REPLAY_HISTORY,
  recordRow,
  rowFrom,
  SEED,
  STREAM_ID,
  sized,
  startInProcess,
  startSims,
  useScenarioHooks,
  waitUntilDelivered,
} from "./harness.js";
import { describeReport, ExpectedIocs } from "./oracle.js";

useScenarioHooks();

describe("5. hostile input", () => {
  it(
    "a corpus of malformed events between valid ones: each logged once with its id and reason, the valid ones delivered",
    async ({ task }) => {
      const startedAt = Date.now();
      const seed = `${SEED}:hostile`;
      const sims = await startSims();
      const { octi, s1 } = sims;
      const corpus = hostileCorpus(sized(200, 1200), `${seed}:corpus`, sized(1, 3));
      const steps = generateFeed({ count: Math.ceil(corpus.length / 3), seed, exotic: false });
      const bad = new Map<string, string>();
      let feed: PublishedFeed = { ids: [], expected: new ExpectedIocs(), lastTouch: new Map(), lastId: "" };
      let valid = 0;
      for (let i = 0; i < corpus.length; i++) {
        const entry = corpus[i]!;
        bad.set(entry.publish(octi), entry.kind);
        if (i % 3 === 2) {
          const step = steps[Math.floor(i / 3)];
          if (step) feed = publishFeed(octi, [step], feed);
          else {
            // Past the generated feed: plain creates keep valid events around every hostile one.
            const { indicator, ioc } = validIndicator(valid++, seed);
            feed = publishFeed(
              octi,
              [
                {
                  event: createEvent(indicator),
                  changes: [{ externalId: indicator.id, iocs: [ioc] }],
                  label: "create",
                },
              ],
              feed,
            );
          }
        }
      }
      const lastId = octi.lastEventId!;
      const env = await connectorEnv({ octiUrl: octi.url, s1Url: s1.url, extra: { ...REPLAY_HISTORY } });
      const connector = await startInProcess("hostile input", env);
      await waitUntilDelivered(octi, env.CONNECTOR_ID!, lastId, "hostile corpus", budget(90_000, 300_000));
      expect(connector.ended(), "the connector stopped by itself").toBe(false);

      const byId = new Map<string, { message: string; reason: unknown }[]>();
      for (const line of connector.logs.lines()) {
        const id = line.attributes?.event_id;
        if (typeof id !== "string") continue;
        const list = byId.get(id) ?? [];
        list.push({ message: line.message, reason: line.attributes?.reason });
        byId.set(id, list);
      }
      const problems: string[] = [];
      for (const [id, kind] of bad) {
        const lines = byId.get(id) ?? [];
        if (lines.length !== 1)
          problems.push(`${kind} ${id}: logged ${lines.length} times ${JSON.stringify(lines.map((l) => l.message))}`);
        else if (typeof lines[0]!.reason !== "string" || lines[0]!.reason === "")
          problems.push(`${kind} ${id}: no reason`);
      }
      const pollution = [
        ({} as Record<string, unknown>).polluted,
        ({} as Record<string, unknown>).data,
        ({} as Record<string, unknown>).pattern,
        ({} as Record<string, unknown>).score,
      ].filter((v) => v !== undefined);

      const report = compare(feed, s1);
      const kinds = new Set(bad.values());
      recordRow(
        task,
        rowFrom(
          "5 hostile input",
          bad.size + feed.ids.length,
          report,
          connector.ended() ? 1 : 0,
          startedAt,
          `${bad.size} hostile (${kinds.size} kinds) + ${feed.ids.length} valid; ${problems.length} logging problems; seed ${seed}`,
        ),
      );
      expect(problems.slice(0, 20)).toEqual([]);
      expect(pollution).toEqual([]);
      expect(report.lost, describeReport(report)).toEqual([]);
      expect(report.unexpected, describeReport(report)).toEqual([]);
      expect(report.duplicates).toBe(0);
      expect(bad.size).toBeGreaterThanOrEqual(sized(200, 1000));
      expect(s1.iocs().some((r) => r.externalId?.startsWith("indicator--00000000-0000-4000-8000-"))).toBe(false);
      void STREAM_ID;
    },
    budget(120_000, 400_000),
  );
});
