/**
 * Scenario 7: TLS and proxies. Both simulators are put behind a TLS-terminating reverse proxy with a self-signed
 * certificate made at test time (tls-proxy.ts). Verification is on by default for OpenCTI and SentinelOne alike: a
 * self-signed certificate is refused with a clear error, retried with backoff (no crash, no hot loop, no socket
 * pile-up), and accepted with the CA (`OPENCTI_SSL_VERIFY=<ca>`, `SENTINELONE_INTEL_CA_FILE`, or
 * `NODE_EXTRA_CA_CERTS` for a process) or with verification off. HTTP(S)_PROXY / NO_PROXY are honoured for GraphQL,
 * the stream and SentinelOne (a local forward proxy counts what it carries).
 */
import { beforeAll, describe, expect, it } from "vitest";
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
  SEED,
  STREAM_ID,
  sized,
  sleep,
  startInProcess,
  startSims,
  useScenarioHooks,
  waitFor,
  waitUntilDelivered,
} from "./harness.js";
import { describeReport } from "./oracle.js";
import { type Certificate, ForwardProxy, hostPort, makeCertificate, TlsReverseProxy } from "./tls-proxy.js";

let certificate: Certificate;
const closers: (() => Promise<void>)[] = [];

beforeAll(async () => {
  certificate = await makeCertificate();
});

useScenarioHooks(closers);

async function tlsFront(target: string): Promise<TlsReverseProxy> {
  const proxy = new TlsReverseProxy(target, certificate);
  await proxy.start();
  closers.push(() => proxy.stop());
  return proxy;
}

async function forwardProxy(): Promise<ForwardProxy> {
  const proxy = new ForwardProxy();
  await proxy.start();
  closers.push(() => proxy.stop());
  return proxy;
}

/** Simulators with a feed published, optionally behind TLS. */
async function setUp(label: string, tls: boolean) {
  const seed = `${SEED}:tls:${label}`;
  const sims = await startSims();
  const { octi, s1 } = sims;
  const steps = generateFeed({ count: sized(60, 400), seed });
  const feed = publishFeed(octi, steps);
  const octiFront = tls ? await tlsFront(octi.url) : undefined;
  const s1Front = tls ? await tlsFront(s1.url) : undefined;
  return {
    octi,
    s1,
    steps,
    feed,
    seed,
    octiFront,
    s1Front,
    octiUrl: octiFront?.url ?? octi.url,
    s1Url: s1Front?.url ?? s1.url,
  };
}

/** A reason that names the certificate problem (Node's message or its OpenSSL code, e.g. DEPTH_ZERO_SELF_SIGNED_CERT). */
const CERTIFICATE_ERROR = /cert|self[-_ ]?signed|unable[_ ]to[_ ]verify/i;

describe("7. TLS", () => {
  it(
    "verification is on by default: OpenCTI's self-signed certificate is refused clearly, with backoff, without crashing",
    async ({ task }) => {
      const startedAt = Date.now();
      const { octiUrl, s1Url, octiFront, s1, steps } = await setUp("default-octi", true);
      const env = await connectorEnv({ octiUrl, s1Url, extra: { ...REPLAY_HISTORY, CONNECTOR_SHUTDOWN_TIMEOUT: "1" } });
      const connector = await startInProcess("tls default (OpenCTI)", env);
      await waitFor(() => connector.logs.count(/OpenCTI API is not reachable/) >= 4, "four refused attempts", 30_000);
      const observedFrom = Date.now();
      const attemptsBefore = connector.logs.count(/OpenCTI API is not reachable/);
      await sleep(1500);
      const attempts = connector.logs.count(/OpenCTI API is not reachable/) - attemptsBefore;
      const reasons = connector.logs
        .lines()
        .filter((l) => /OpenCTI API is not reachable/.test(l.message))
        .map((l) => String(l.attributes?.reason ?? ""));
      expect(
        reasons.every((r) => CERTIFICATE_ERROR.test(r)),
        reasons.slice(0, 2).join(" / "),
      ).toBe(true);
      expect(connector.ended(), "still waiting, not crashed").toBe(false);
      // Backoff (100 ms base, capped at 1 s): a handful of attempts per 2 s, not a hot loop.
      expect(attempts).toBeLessThanOrEqual(25);
      expect(octiFront!.failedHandshakes).toBeLessThanOrEqual(connector.logs.count(/OpenCTI API is not reachable/) + 2);
      expect(s1.stats().requests).toBe(0);
      const result = await connector.run.stop("test end");
      expect(result.exitCode).toBe(0);
      recordRow(
        task,
        plainRow(
          "7 TLS default: OpenCTI self-signed refused",
          steps.length,
          startedAt,
          `${attempts} attempts in ${Date.now() - observedFrom} ms, ${octiFront!.failedHandshakes} failed handshakes; "${reasons[0]?.slice(0, 80)}"`,
        ),
      );
    },
    budget(60_000, 120_000),
  );

  it(
    "verification is on by default: SentinelOne's self-signed certificate is refused clearly, retried, nothing acknowledged",
    async ({ task }) => {
      const startedAt = Date.now();
      const { octi, octiUrl, s1Url, s1Front, s1, steps } = await setUp("default-s1", true);
      const env = await connectorEnv({
        octiUrl,
        s1Url,
        extra: { ...REPLAY_HISTORY, OPENCTI_SSL_VERIFY: certificate.caPath, CONNECTOR_SHUTDOWN_TIMEOUT: "1" },
      });
      const connector = await startInProcess("tls default (SentinelOne)", env);
      await waitFor(
        () => connector.logs.count("SentinelOne request failed, retrying") >= 3,
        "three refused requests",
        30_000,
      );
      await sleep(1000);
      const retries = connector.logs.lines().filter((l) => l.message === "SentinelOne request failed, retrying");
      expect(
        retries.every((l) => CERTIFICATE_ERROR.test(String(l.attributes?.reason))),
        String(retries[0]?.attributes?.reason),
      ).toBe(true);
      expect(connector.ended()).toBe(false);
      expect(s1.stats().requests).toBe(0);
      expect(s1Front!.failedHandshakes).toBeLessThanOrEqual(retries.length + 2);
      // The stream position did not move past anything that needed SentinelOne.
      const state = connector.run.state();
      expect(state?.start_from).not.toBe(octi.lastEventId);
      const result = await connector.run.stop("test end");
      expect(result.exitCode).toBe(0);
      recordRow(
        task,
        plainRow(
          "7 TLS default: SentinelOne self-signed refused",
          steps.length,
          startedAt,
          `${retries.length} retries, ${s1Front!.failedHandshakes} failed handshakes; "${String(retries[0]?.attributes?.reason).slice(0, 80)}"`,
        ),
      );
    },
    budget(60_000, 120_000),
  );

  it.for([
    {
      name: "accepted with the CA (OPENCTI_SSL_VERIFY=<ca>, SENTINELONE_INTEL_CA_FILE)",
      env: (ca: string): Record<string, string> => ({ OPENCTI_SSL_VERIFY: ca, SENTINELONE_INTEL_CA_FILE: ca }),
    },
    {
      name: "accepted with verification off (OPENCTI_SSL_VERIFY=false, SENTINELONE_INTEL_SSL_VERIFY=false)",
      env: (): Record<string, string> => ({ OPENCTI_SSL_VERIFY: "false", SENTINELONE_INTEL_SSL_VERIFY: "false" }),
    },
  ])("$name: nothing lost", { timeout: budget(60_000, 300_000) }, async ({ name, env: tlsEnv }, { task }) => {
    const startedAt = Date.now();
    const { octi, octiUrl, s1Url, s1, steps, feed, octiFront, s1Front } = await setUp(name, true);
    const env = await connectorEnv({ octiUrl, s1Url, extra: { ...REPLAY_HISTORY, ...tlsEnv(certificate.caPath) } });
    const connector = await startInProcess(`tls ${name}`, env);
    await waitUntilDelivered(octi, env.CONNECTOR_ID!, feed.lastId, name, budget(60_000, 300_000));
    expect(connector.ended()).toBe(false);
    const report = compare(feed, s1);
    recordRow(
      task,
      rowFrom(
        `7 TLS ${name.split(" (")[0]}`,
        steps.length,
        report,
        0,
        startedAt,
        `through TLS: ${octiFront!.requests} OpenCTI requests, ${s1Front!.requests} SentinelOne requests`,
      ),
    );
    expect(octiFront!.requests).toBeGreaterThan(0);
    expect(s1Front!.requests).toBeGreaterThan(0);
    expect(report.lost, describeReport(report)).toEqual([]);
    expect(report.unexpected, describeReport(report)).toEqual([]);
  });

  it(
    "accepted with NODE_EXTRA_CA_CERTS (connector process, default settings): nothing lost",
    async ({ task }) => {
      const startedAt = Date.now();
      await ensureBuilt();
      const { octi, octiUrl, s1Url, s1, steps, feed, octiFront, s1Front } = await setUp("extra-ca", true);
      const env = await connectorEnv({
        octiUrl,
        s1Url,
        extra: { ...REPLAY_HISTORY, NODE_EXTRA_CA_CERTS: certificate.caPath },
      });
      const proc = new ConnectorProcess("NODE_EXTRA_CA_CERTS", env);
      await waitUntilDelivered(octi, env.CONNECTOR_ID!, feed.lastId, "NODE_EXTRA_CA_CERTS", budget(60_000, 300_000));
      proc.kill("SIGTERM");
      expect((await proc.exited).code, proc.stderr.slice(-2000)).toBe(0);
      const report = compare(feed, s1);
      recordRow(
        task,
        rowFrom(
          "7 TLS NODE_EXTRA_CA_CERTS (process)",
          steps.length,
          report,
          0,
          startedAt,
          `${octiFront!.requests}/${s1Front!.requests} requests over TLS`,
        ),
      );
      expect(s1Front!.requests).toBeGreaterThan(0);
      expect(report.lost, describeReport(report)).toEqual([]);
      expect(report.unexpected, describeReport(report)).toEqual([]);
    },
    budget(60_000, 300_000),
  );
});

describe("7. proxies", () => {
  it(
    "HTTP_PROXY carries GraphQL, the stream and SentinelOne (plain http targets, absolute-URI requests)",
    async ({ task }) => {
      const startedAt = Date.now();
      const { octi, octiUrl, s1Url, s1, steps, feed } = await setUp("http-proxy", false);
      const proxy = await forwardProxy();
      const env = await connectorEnv({ octiUrl, s1Url, extra: { ...REPLAY_HISTORY, HTTP_PROXY: proxy.url } });
      await startInProcess("HTTP_PROXY", env);
      await waitUntilDelivered(octi, env.CONNECTOR_ID!, feed.lastId, "HTTP_PROXY", budget(60_000, 300_000));
      const toOcti = proxy.to(hostPort(octiUrl));
      const toS1 = proxy.to(hostPort(s1Url));
      const report = compare(feed, s1);
      recordRow(
        task,
        rowFrom(
          "7 proxy: HTTP_PROXY",
          steps.length,
          report,
          0,
          startedAt,
          `via proxy: OpenCTI ${toOcti.requests}, SentinelOne ${toS1.requests}/${s1.stats().requests}`,
        ),
      );
      expect(toOcti.paths).toContain("/graphql");
      expect(toOcti.paths).toContain(`/stream/${STREAM_ID}`);
      expect(toS1.requests).toBe(s1.stats().requests);
      expect(report.lost, describeReport(report)).toEqual([]);
      expect(report.unexpected, describeReport(report)).toEqual([]);
    },
    budget(60_000, 300_000),
  );

  it(
    "https_proxy (lower case) tunnels (CONNECT) to OpenCTI and SentinelOne over TLS",
    async ({ task }) => {
      const startedAt = Date.now();
      const { octi, octiUrl, s1Url, s1, steps, feed } = await setUp("https-proxy", true);
      const proxy = await forwardProxy();
      const env = await connectorEnv({
        octiUrl,
        s1Url,
        extra: {
          ...REPLAY_HISTORY,
          https_proxy: proxy.url,
          OPENCTI_SSL_VERIFY: certificate.caPath,
          SENTINELONE_INTEL_CA_FILE: certificate.caPath,
        },
      });
      await startInProcess("https_proxy", env);
      await waitUntilDelivered(octi, env.CONNECTOR_ID!, feed.lastId, "https_proxy", budget(60_000, 300_000));
      const toOcti = proxy.to(hostPort(octiUrl));
      const toS1 = proxy.to(hostPort(s1Url));
      const report = compare(feed, s1);
      recordRow(
        task,
        rowFrom(
          "7 proxy: https_proxy (CONNECT)",
          steps.length,
          report,
          0,
          startedAt,
          `tunnels: OpenCTI ${toOcti.tunnels}, SentinelOne ${toS1.tunnels}`,
        ),
      );
      expect(toOcti.tunnels).toBeGreaterThan(0);
      expect(toS1.tunnels).toBeGreaterThan(0);
      expect(report.lost, describeReport(report)).toEqual([]);
      expect(report.unexpected, describeReport(report)).toEqual([]);
    },
    budget(60_000, 300_000),
  );

  it.for([
    {
      name: "NO_PROXY names SentinelOne's host:port",
      octiProxied: true,
      noProxy: (_octi: string, s1: string) => `localhost, ${s1}`,
    },
    { name: "NO_PROXY covers the host (every port)", octiProxied: false, noProxy: () => "example.com,127.0.0.1" },
    { name: "NO_PROXY is *", octiProxied: false, noProxy: () => "*" },
  ])(
    "$name: those requests go direct",
    { timeout: budget(60_000, 300_000) },
    async ({ name, octiProxied, noProxy }, { task }) => {
      const startedAt = Date.now();
      const { octi, octiUrl, s1Url, s1, steps, feed } = await setUp(name, false);
      const proxy = await forwardProxy();
      const env = await connectorEnv({
        octiUrl,
        s1Url,
        extra: { ...REPLAY_HISTORY, HTTP_PROXY: proxy.url, NO_PROXY: noProxy(hostPort(octiUrl), hostPort(s1Url)) },
      });
      await startInProcess(name, env);
      await waitUntilDelivered(octi, env.CONNECTOR_ID!, feed.lastId, name, budget(60_000, 300_000));
      const toOcti = proxy.to(hostPort(octiUrl));
      const toS1 = proxy.to(hostPort(s1Url));
      const report = compare(feed, s1);
      recordRow(
        task,
        rowFrom(
          `7 proxy: ${name}`,
          steps.length,
          report,
          0,
          startedAt,
          `via proxy: OpenCTI ${toOcti.requests}, SentinelOne ${toS1.requests}`,
        ),
      );
      expect(toS1.requests + toS1.tunnels).toBe(0);
      if (octiProxied) expect(toOcti.requests).toBeGreaterThan(0);
      else expect(toOcti.requests + toOcti.tunnels).toBe(0);
      expect(s1.stats().requests).toBeGreaterThan(0);
      expect(report.lost, describeReport(report)).toEqual([]);
      expect(report.unexpected, describeReport(report)).toEqual([]);
    },
  );
});
