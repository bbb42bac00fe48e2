/**
 * The plugin as the SDK runner uses it: its handler built by `createHandler` from a context of the SDK's services,
 * stream events in, IOCs in the SentinelOne simulator out (real loopback sockets).
 */
import { mkdtemp, readFile } from "node:fs/promises";
import { Agent } from "node:http";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type BaseConfig,
  createPluginContext,
  type EventContext,
  type HttpAgents,
  type StixObject,
  type StreamEvent,
} from "@octi/connector-sdk";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_ACCOUNT_ID, DEFAULT_API_TOKEN, SentinelOneSimulator } from "../dev/simulator/index.js";
import type { SentinelOneIntelSettings } from "../src/config-schema.js";
import { plugin, SentinelOneIntelHandler } from "../src/index.js";
import { FakeLifecycle, FakeLogger, MetricsProbe } from "./helpers/fakes.js";
import { indicator, SHA256 } from "./helpers/indicators.js";

describe("plugin", () => {
  it("declares the connector", () => {
    const pkg = createRequire(import.meta.url)("../package.json") as { version: string };
    expect(plugin.manifest).toEqual({
      slug: "sentinelone-intel",
      namespace: "sentinelone_intel",
      version: pkg.version,
      connectorDefaults: { name: "SentinelOne Intel", scope: ["sentinelone"] },
    });
    expect(plugin.configSchema.properties.api_key.writeOnly).toBe(true);
    // The settings' type is the schema's: a missing key or a wrong type does not compile.
    const values: SentinelOneIntelSettings = {
      api_url: "x",
      api_key: "k",
      source: "OpenCTI",
      batch_size: 1,
      batch_flush_interval: 0,
      max_pending_iocs: 1,
      requests_per_minute: 0,
      reconcile_interval: 0,
      skip_score_only_updates: false,
      data_dir: "data",
      request_timeout: 1,
      retry_max_delay: 1,
      dead_letter_path: "dl.jsonl",
      ssl_verify: true,
    };
    expect(plugin.crossFieldRules?.(values)).toHaveLength(1);
    expect(plugin.resolve({ ...values, site_id: " 42 " }).scope).toEqual({ siteId: "42" });
  });
});

describe("built by createHandler, against the simulator", () => {
  let sim: SentinelOneSimulator;
  let url: string;

  beforeAll(async () => {
    sim = new SentinelOneSimulator();
    url = await sim.start();
  });
  afterAll(() => sim.stop());
  afterEach(() => sim.reset());

  async function wire(ns: Partial<SentinelOneIntelSettings> = {}) {
    const dir = await mkdtemp(join(tmpdir(), "s1-plugin-"));
    const deadLetterPath = join(dir, "dead-letter.jsonl");
    const values: SentinelOneIntelSettings = {
      api_url: `${url}/`,
      api_key: `APIToken ${DEFAULT_API_TOKEN}`,
      account_id: DEFAULT_ACCOUNT_ID,
      site_id: "",
      group_id: "",
      source: "OpenCTI",
      batch_size: 500,
      batch_flush_interval: 5,
      max_pending_iocs: 100,
      request_timeout: 5,
      retry_max_delay: 0.05,
      dead_letter_path: deadLetterPath,
      ssl_verify: true,
      requests_per_minute: 0,
      skip_score_only_updates: false,
      reconcile_interval: 0,
      data_dir: join(dir, "data"),
      ...ns,
    };
    const config = {
      opencti: { url: "http://opencti.invalid", token: "t", ssl_verify: false, json_logging: true },
      connector: { id: "c", name: "SentinelOne Intel", type: "STREAM", scope: ["sentinelone"] },
    } as unknown as BaseConfig;
    const logger = new FakeLogger();
    const metrics = new MetricsProbe();
    const lifecycle = new FakeLifecycle();
    const agents: HttpAgents = { forUrl: () => new Agent() };
    const handler = plugin.createHandler(
      createPluginContext({
        settings: plugin.resolve(values),
        config,
        logger,
        metrics: metrics.metrics,
        agents,
        lifecycle,
        secrets: [values.api_key, "t"],
      }),
    );
    let seq = 0;
    const pendingAcks: Promise<void>[] = [];
    const send = async (action: StreamEvent["event"], data: StixObject, context?: StreamEvent["context"]) => {
      let resolveAck!: () => void;
      const acked = new Promise<void>((resolve) => {
        resolveAck = resolve;
      });
      let deferred = false;
      const ctx: EventContext = {
        defer: () => {
          deferred = true;
          return resolveAck;
        },
        signal: lifecycle.signal,
      };
      await handler.handle(
        {
          id: `${1700000000000 + seq++}-0`,
          event: action,
          data,
          message: "",
          origin: {},
          version: "4",
          ...(context ? { context } : {}),
        },
        ctx,
      );
      if (!deferred) resolveAck();
      pendingAcks.push(acked);
    };
    const settled = () => Promise.all(pendingAcks.splice(0));
    const stop = async () => {
      await handler.drain?.(Date.now() + 2000);
      await handler.stop?.();
    };
    return { handler, send, settled, stop, logger, metrics, lifecycle, deadLetterPath };
  }

  it("builds the SentinelOne handler with nothing pending", async () => {
    const { handler, stop } = await wire();
    expect(handler).toBeInstanceOf(SentinelOneIntelHandler);
    expect(handler.pendingCount).toBe(0);
    await stop();
  });

  it("creates, replaces, deletes and merges indicators in SentinelOne", async () => {
    const { send, settled, stop, metrics } = await wire();
    const a = indicator("[ipv4-addr:value = '203.0.113.10']", { name: "A" });
    const b = indicator("[url:value = 'http://example.com/foo' OR url:value = 'http://example.com/bar']", {
      name: "B",
    });
    const c = indicator(`[file:hashes.SHA-256 = '${SHA256}']`, { name: "C" });
    const skipped = indicator("[file:name = 'x.exe']");
    await send("create", a);
    await send("create", b);
    await send("create", c);
    await send("create", skipped);
    await send("create", { id: "malware--1", type: "malware" });
    await settled();
    expect(sim.iocs().map((r) => [r.type, r.value, r.externalId, r.name])).toEqual([
      ["IPV4", "203.0.113.10", a.id, "A"],
      ["URL", "http://example.com/foo", b.id, "B"],
      ["URL", "http://example.com/bar", b.id, "B"],
      ["SHA256", SHA256, c.id, "C"],
    ]);
    // All four IOCs went in one request.
    expect(sim.requests.filter((r) => r.method === "POST")).toHaveLength(1);

    await send(
      "update",
      { ...a, name: "A renamed" },
      { patch: [{ op: "replace", path: "/name", value: "A renamed" }] },
    );
    await send("delete", b);
    await send("merge", c, { patch: [{ op: "add", path: "/labels/1", value: "merged" }], sources: [a] });
    await settled();
    expect(sim.iocs().map((r) => [r.type, r.value, r.externalId, r.name])).toEqual([["SHA256", SHA256, c.id, "C"]]);
    expect(sim.iocs()[0]?.scope).toBe("account");
    expect(await metrics.value("indicators_skipped_total", { reason: "unsupported_object" })).toBe(1);
    // Every IOC created but C was deleted by uuid (A's rename and its merge may coalesce; the merge leaves C's
    // fields as they were, so C is not sent again).
    const created = await metrics.value("sentinelone_iocs_created_total");
    expect(created).toBeGreaterThanOrEqual(4);
    expect(await metrics.value("sentinelone_iocs_deleted_total")).toBe(created - 1);
    expect(sim.requests.filter((r) => r.method === "DELETE").length).toBeLessThanOrEqual(2);
    await stop();
  });

  it("dead-letters what SentinelOne refuses and pushes the rest", async () => {
    const { send, settled, stop, deadLetterPath, metrics } = await wire();
    const good1 = indicator("[ipv4-addr:value = '203.0.113.1']");
    const tooManyLabels = indicator("[ipv4-addr:value = '203.0.113.2']", {
      labels: Array.from({ length: 5001 }, (_, i) => `l${i}`),
    });
    const good2 = indicator("[ipv4-addr:value = '203.0.113.3']");
    await send("create", good1);
    await send("create", tooManyLabels);
    await send("create", good2);
    await settled();
    expect(sim.iocs().map((r) => r.value)).toEqual(["203.0.113.1", "203.0.113.3"]);
    const lines = (await readFile(deadLetterPath, "utf8"))
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ indicatorId: tooManyLabels.id, status: 400, ioc: { value: "203.0.113.2" } });
    expect(lines[0].reason).toMatch(/data: 1: labels/);
    expect(JSON.stringify(lines)).not.toContain(DEFAULT_API_TOKEN);
    expect(await metrics.value("sentinelone_iocs_dead_lettered_total")).toBe(1);
    await stop();
  });

  it("retries through 503s and stops the run on 401 without acknowledging", async () => {
    const retrying = await wire();
    sim.failNext(2, 503);
    await retrying.send("create", indicator("[ipv4-addr:value = '203.0.113.5']"));
    await retrying.settled();
    expect(sim.iocs().map((r) => r.value)).toEqual(["203.0.113.5"]);
    expect(await retrying.metrics.value("sentinelone_retries_total", { reason: "unavailable" })).toBe(2);
    await retrying.stop();

    const refused = await wire({ api_key: "wrong-key-0123456789" });
    let acked = false;
    await refused.handler.handle(
      {
        id: "1-0",
        event: "create",
        data: indicator("[ipv4-addr:value = '203.0.113.6']"),
        message: "",
        origin: {},
        version: "4",
      },
      { defer: () => () => (acked = true), signal: refused.lifecycle.signal },
    );
    await refused.stop();
    expect(refused.lifecycle.fatals).toHaveLength(1);
    expect(refused.lifecycle.fatals[0]?.message).toMatch(/SentinelOne rejected the API key \(401/);
    expect(refused.lifecycle.fatals[0]?.message).not.toContain("wrong-key-0123456789");
    expect(refused.logger.text()).not.toContain("wrong-key-0123456789");
    expect(acked).toBe(false);
  });
});
