/**
 * The README's example connector (examples/minimal.ts), run by the SDK against the OpenCTI simulator and a webhook
 * on loopback: what it posts, what it skips, a failing answer retried, a refused token ending the run.
 */
import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createEvent, deleteEvent, makeIndicator, OpenCtiSimulator } from "@octi/connector-sdk-testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { webhook } from "../../examples/minimal.js";
import { type ConnectorRun, startConnector } from "../../src/runtime/runner.js";
import { baseEnv, LogCapture, waitFor } from "../runtime/harness.js";

const STREAM = "example-stream";
const TOKEN = "example-opencti-token";

interface Post {
  readonly authorization: string | undefined;
  readonly body: { event: string; id: string; name?: string; pattern?: string };
}

describe("the README's example connector", () => {
  let sim: OpenCtiSimulator;
  let server: Server;
  let url: string;
  const posts: Post[] = [];
  /** Statuses the webhook answers next (then 200). */
  const answers: number[] = [];
  const runs: ConnectorRun[] = [];

  const read = (request: IncomingMessage) =>
    new Promise<string>((resolve) => {
      let text = "";
      request.on("data", (chunk: Buffer) => {
        text += chunk.toString("utf8");
      });
      request.on("end", () => resolve(text));
    });

  beforeEach(async () => {
    posts.length = 0;
    answers.length = 0;
    sim = new OpenCtiSimulator({ token: TOKEN, streams: [{ id: STREAM }], heartbeatIntervalMs: 200 });
    await sim.start();
    server = createServer(async (request, response) => {
      const body = JSON.parse(await read(request)) as Post["body"];
      posts.push({ authorization: request.headers.authorization, body });
      response.statusCode = answers.shift() ?? 200;
      response.end();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  });

  afterEach(async () => {
    for (const run of runs.splice(0)) await run.stop("test end");
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await sim.stop();
  });

  async function start(extra: Record<string, string> = {}) {
    const logs = new LogCapture();
    const env = baseEnv(sim.url, TOKEN, STREAM, {
      CONNECTOR_LIVE_STREAM_LISTEN_DELETE: "true",
      CONNECTOR_EVENT_RETRY_MAX_DELAY: "1",
      WEBHOOK_URL: url,
      WEBHOOK_TOKEN: "hook-secret",
      ...extra,
    });
    const run = await startConnector(webhook, { env, searchDirs: [], logStream: logs.stream, retryBaseMs: 50 });
    runs.push(run);
    await waitFor(() => sim.streamRequests.some((r) => r.status === 200), "the stream connection");
    return { run, logs };
  }

  it("posts indicator events with the token, skips other objects, and retries a failed answer", async () => {
    // Given the connector running, and a webhook that fails its first answer
    const { run, logs } = await start();
    expect(run.settings).toEqual({ url, token: "hook-secret", timeoutMs: 10_000 });
    answers.push(503);
    // When an indicator is created, a malware too, then the indicator is deleted
    const indicator = makeIndicator({ pattern: "[ipv4-addr:value = '198.51.100.7']", name: "seven" });
    sim.publish(createEvent(indicator), STREAM);
    sim.publish(
      createEvent({ id: "malware--1", type: "malware", spec_version: "2.1", name: "m", is_family: false }),
      STREAM,
    );
    const last = sim.publish(deleteEvent(indicator), STREAM);
    // Then the webhook got the create twice (503, then 200) and the delete, with the bearer token, and nothing else
    await waitFor(() => run.state()?.start_from === last, "every event acknowledged");
    expect(posts.map((p) => [p.body.event, p.body.id])).toEqual([
      ["create", indicator.id],
      ["create", indicator.id],
      ["delete", indicator.id],
    ]);
    expect(posts[0]?.body).toMatchObject({ name: "seven", pattern: "[ipv4-addr:value = '198.51.100.7']" });
    expect(new Set(posts.map((p) => p.authorization))).toEqual(new Set(["Bearer hook-secret"]));
    expect(logs.has("Event handler failed, retrying")).toBe(true);
    expect(logs.raw).not.toContain("hook-secret");
  });

  it("stops the run with exit code 1 when the webhook refuses the token", async () => {
    // Given a webhook that answers 401
    const { run } = await start();
    answers.push(401);
    // When an indicator arrives
    sim.publish(createEvent(makeIndicator({ pattern: "[domain-name:value = 'example.org']" })), STREAM);
    // Then the run ends with exit code 1 and the reason (the event is replayed after a restart)
    const result = await run.done;
    expect(result.exitCode).toBe(1);
    expect(result.reason).toMatch(/the webhook refused the token \(401\)/);
    expect(posts).toHaveLength(1);
  });
});

describe("the README", () => {
  it("shows the example connector verbatim, in at most 60 lines", () => {
    const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
    const source = readFileSync(new URL("../../examples/minimal.ts", import.meta.url), "utf8");
    expect(readme).toContain(`\`\`\`ts\n${source}\`\`\``);
    expect(source.trimEnd().split("\n").length).toBeLessThanOrEqual(60);
  });
});
