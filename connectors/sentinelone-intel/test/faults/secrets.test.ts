/**
 * Scenario 6: secrets. Every file of the suite checks, after its scenarios, that neither the OpenCTI token nor the
 * SentinelOne key (distinctive strings, any case, bare or URL-encoded, with or without `APIToken `) appears in any
 * log, stdout, stderr or dead-letter file it produced. This file adds the paths where a secret is most likely to
 * escape: a SentinelOne error that echoes the key (into the dead-letter file and the logs), a refused key, a refused
 * token, debug logging, and configuration errors printed by the process before any logger exists (including a
 * secret pasted into the wrong variable).
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname } from "node:path";
import { describe, expect, it } from "vitest";
import { generateFeed } from "./feed.js";
import {
  budget,
  ConnectorProcess,
  connectorEnv,
  ensureBuilt,
  findSecrets,
  outputBytes,
  outputs,
  plainRow,
  publishFeed,
  REPLAY_HISTORY,
  recordRow,
  SECRETS,
  SEED,
  STREAM_ID,
  sized,
  startInProcess,
  startSims,
  useScenarioHooks,
  waitFor,
} from "./harness.js";

useScenarioHooks();

const key = SECRETS.sentinelOne;

/** A SentinelOne validation error whose details echo the Authorization header, as a careless gateway might. */
function echoingValidationError(): string {
  return JSON.stringify({
    errors: [
      {
        code: 4000010,
        title: "Validation Error",
        detail: `data: 0: value: rejected for Authorization: APIToken ${key}`,
      },
      { code: 4000010, title: "Validation Error", detail: `data: 0: name: token ${key.toLowerCase()} is not allowed` },
      { code: 4000010, title: "Validation Error", detail: `data: 0: source: ${encodeURIComponent(`APIToken ${key}`)}` },
    ],
  });
}

function deadLetterText(path: string): string {
  const dir = dirname(path);
  return readdirSync(dir)
    .map((f) => readFileSync(`${dir}/${f}`, "utf8"))
    .join("");
}

describe("6. secrets", () => {
  it(
    "SentinelOne errors that echo the key (400 → dead letter, 5xx page, 401) leak it nowhere, debug logs included",
    async ({ task }) => {
      const startedAt = Date.now();
      const sims = await startSims();
      const { octi, s1 } = sims;
      const steps = generateFeed({ count: sized(40, 200), seed: `${SEED}:secrets` });
      const env = await connectorEnv({
        octiUrl: octi.url,
        s1Url: s1.url,
        extra: { ...REPLAY_HISTORY, CONNECTOR_LOG_LEVEL: "debug" },
      });
      const connector = await startInProcess("secrets: echoing SentinelOne", env);
      // The faults meet the pushes, not the start-up listing of what SentinelOne holds (the target index).
      await waitFor(() => connector.logs.count("Listed SentinelOne") > 0, "the start-up listing", 30_000);
      s1.failNext(1, 400, { raw: echoingValidationError(), contentType: "application/json" });
      s1.failNext(1, 503, { raw: `<html><body>upstream said: Authorization: ApiToken ${key}</body></html>` });
      s1.failNext(1, 500, { raw: JSON.stringify({ errors: [{ code: 5000010, title: `Server Error for ${key}` }] }) });
      const feed = publishFeed(octi, steps);
      await waitFor(() => connector.logs.count(/dead-letter/) > 0, "a dead-lettered IOC", 30_000);
      await waitFor(() => octi.connector(env.CONNECTOR_ID!)?.pingCount, "a ping", 30_000);
      // Then the key is refused: the fatal error names the variable, never the value.
      s1.failNext(1000, 401, {
        raw: JSON.stringify({ errors: [{ code: 4010010, title: `Authentication Failed: ${key}` }] }),
      });
      octi.publish(steps[0]!.event, STREAM_ID);
      const result = await connector.run.done;
      expect(result.exitCode).toBe(1);
      expect(result.reason).toMatch(/SENTINELONE_INTEL_API_KEY/);
      const deadLetters = deadLetterText(env.SENTINELONE_INTEL_DEAD_LETTER_PATH!);
      expect(deadLetters.length).toBeGreaterThan(0);
      const leaks = [
        ...findSecrets(connector.logs.raw).map((l) => `log: ${l}`),
        ...findSecrets(deadLetters).map((l) => `dead letter: ${l}`),
      ];
      recordRow(
        task,
        plainRow(
          "6 secrets: echoed by SentinelOne (400/5xx/401), debug",
          feed.ids.length + 1,
          startedAt,
          `${leaks.length} leaks in ${connector.logs.raw.length} B of logs + ${deadLetters.length} B of dead letters`,
        ),
      );
      expect(leaks).toEqual([]);
    },
    budget(60_000, 120_000),
  );

  it(
    "OpenCTI refusing the token (GraphQL and stream) leaks it nowhere",
    async ({ task }) => {
      const startedAt = Date.now();
      const sims = await startSims();
      const { octi, s1 } = sims;
      octi.rejectToken(true);
      const env = await connectorEnv({ octiUrl: octi.url, s1Url: s1.url, extra: { CONNECTOR_LOG_LEVEL: "debug" } });
      const connector = await startInProcess("secrets: token refused", env);
      const result = await connector.run.done;
      expect(result.exitCode).toBe(1);
      const leaks = findSecrets(connector.logs.raw);
      recordRow(
        task,
        plainRow(
          "6 secrets: OpenCTI token refused",
          0,
          startedAt,
          `${leaks.length} leaks; "${result.reason.slice(0, 90)}"`,
        ),
      );
      expect(leaks).toEqual([]);
    },
    budget(60_000, 120_000),
  );

  it.for<{ name: string; env: Record<string, string>; names?: RegExp }>([
    {
      name: "a secret pasted into the wrong variable (account id = the key, site id = the token)",
      env: { SENTINELONE_INTEL_ACCOUNT_ID: key, SENTINELONE_INTEL_SITE_ID: SECRETS.opencti },
    },
    {
      name: "invalid URL and numbers next to the secrets",
      env: { OPENCTI_URL: `not a url ${SECRETS.opencti}`, SENTINELONE_INTEL_BATCH_SIZE: "lots", CONNECTOR_ID: "nope" },
    },
    {
      name: "an unreadable CA file",
      env: { SENTINELONE_INTEL_API_URL: "https://127.0.0.1:1", SENTINELONE_INTEL_CA_FILE: "/nonexistent/ca.pem" },
      names: /SENTINELONE_INTEL_CA_FILE .*no such file/,
    },
  ])(
    "the connector process refuses to start ($name) without printing a secret",
    { timeout: budget(30_000, 60_000) },
    async ({ name, env: bad, names }, { task }) => {
      const startedAt = Date.now();
      await ensureBuilt();
      const env = await connectorEnv({
        octiUrl: "http://127.0.0.1:9",
        s1Url: "http://127.0.0.1:9",
        extra: { ...bad, CONNECTOR_LOG_LEVEL: "debug" },
      });
      const proc = new ConnectorProcess(`secrets: start-up, ${name}`, env);
      const exit = await proc.exited;
      const leaks = [...findSecrets(proc.stderr), ...findSecrets(proc.stdout)];
      recordRow(
        task,
        plainRow(
          `6 secrets: start-up refused, ${name.split(" (")[0]}`,
          0,
          startedAt,
          `exit ${exit.code}; ${leaks.length} leaks; "${proc.stderr.split("\n")[0]?.slice(0, 90)}"`,
        ),
      );
      expect(exit.code).toBe(1);
      expect(proc.stderr.length).toBeGreaterThan(0);
      if (names) expect(proc.stderr, "the message names what is wrong").toMatch(names);
      expect(leaks).toEqual([]);
    },
  );

  it("the checks above saw real output", () => {
    expect(outputs.length).toBeGreaterThan(3);
    expect(outputBytes()).toBeGreaterThan(1000);
    // The search itself finds a secret in any case and encoding.
    expect(findSecrets(`x APITOKEN ${key.toUpperCase()} y`)).toHaveLength(1);
    expect(findSecrets(encodeURIComponent(SECRETS.opencti.toLowerCase()))).toHaveLength(1);
  });
});
