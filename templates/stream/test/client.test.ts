/** The HTTP client against a local server (loopback, port 0): the requests it sends and the errors it tolerates. */
import { Agent, createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { type HttpAgents, JsonLinesFile, loadPluginConfig } from "@octi/connector-sdk";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Http__PASCAL_NAME__Client } from "../src/client.js";
import { __PASCAL_NAME__Target, plugin } from "../src/index.js";

interface Seen {
  readonly method: string;
  readonly url: string;
  readonly authorization: string | undefined;
  readonly body: string;
}

const agents: HttpAgents = { forUrl: () => new Agent() };

describe("Http__PASCAL_NAME__Client", () => {
  let server: Server;
  let seen: Seen[];
  let status: number;
  /** The JSON body of the next answers. */
  let answer: unknown;
  let retryAfter: string | undefined;
  let client: Http__PASCAL_NAME__Client;

  beforeEach(async () => {
    seen = [];
    status = 200;
    answer = undefined;
    retryAfter = undefined;
    server = createServer((request: IncomingMessage, response) => {
      let body = "";
      request.on("data", (chunk: Buffer) => {
        body += chunk.toString("utf8");
      });
      request.on("end", () => {
        seen.push({
          method: request.method ?? "",
          url: request.url ?? "",
          authorization: request.headers.authorization,
          body,
        });
        response.statusCode = status;
        if (retryAfter !== undefined) response.setHeader("retry-after", retryAfter);
        if (answer === undefined) response.end();
        else {
          response.setHeader("content-type", "application/json");
          response.end(JSON.stringify(answer));
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    const env = {
      OPENCTI_URL: "http://localhost:8080",
      OPENCTI_TOKEN: "opencti-test-token",
      CONNECTOR_ID: "0c4ea2d7-0d4b-4a6e-9c55-1f1bb3f8f0a1",
      CONNECTOR_LIVE_STREAM_ID: "live",
      __ENV_PREFIX___API_URL: `http://127.0.0.1:${port}/`,
      __ENV_PREFIX___API_KEY: "test-api-key",
    };
    const { settings } = loadPluginConfig(plugin, { env, searchDirs: [] });
    client = new Http__PASCAL_NAME__Client(settings, agents);
  });

  afterEach(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it("creates items with one POST /items, authenticated with the API key, and returns their ids", async () => {
    answer = { ids: ["r1", "r2"] };
    const items = [
      { key: "indicator--1", type: "indicator", name: "one", pattern: "[ipv4-addr:value = '10.0.0.1']" },
      { key: "indicator--2", type: "indicator" },
    ];
    await expect(client.createItems(items)).resolves.toEqual(["r1", "r2"]);
    expect(seen).toEqual([
      { method: "POST", url: "/items", authorization: "Bearer test-api-key", body: JSON.stringify({ items }) },
    ]);
  });

  it("refuses a create answer without one id per item", async () => {
    answer = { ids: ["r1"] };
    await expect(
      client.createItems([
        { key: "a", type: "indicator" },
        { key: "b", type: "indicator" },
      ]),
    ).rejects.toThrow(/one id per item \(sent 2\)/);
  });

  it("deletes by ids, and by key", async () => {
    await client.deleteItems(["r1", "r2"]);
    await client.deleteKey("indicator--2");
    expect(seen.map((s) => `${s.method} ${s.url} ${s.body}`)).toEqual([
      `POST /items/delete ${JSON.stringify({ ids: ["r1", "r2"] })}`,
      "DELETE /items?key=indicator--2 ",
    ]);
  });

  it("lists a page since a time and from a cursor, keeping only usable records", async () => {
    answer = {
      items: [{ id: "r1", key: "indicator--1", type: "indicator" }, { id: "r2" }, "junk"],
      next_cursor: "c2",
    };
    await expect(client.listItems({ updatedSince: 1700000000000, cursor: "c1" })).resolves.toEqual({
      items: [{ id: "r1", key: "indicator--1", type: "indicator" }],
      nextCursor: "c2",
    });
    expect(seen.map((s) => s.url)).toEqual(["/items?updated_since=1700000000000&cursor=c1"]);
    answer = { items: [], next_cursor: null };
    await expect(client.listItems({})).resolves.toEqual({ items: [], nextCursor: null });
  });

  it("fails on a server error, and the target classifies it for the SDK's queue", async () => {
    status = 503;
    retryAfter = "2";
    const error = await client.deleteItems(["r1"]).catch((e: unknown) => e);
    expect(String(error)).toMatch(/503/);
    const target = new __PASCAL_NAME__Target(client, new JsonLinesFile("unused.jsonl", []));
    expect(target.classify(error)).toMatchObject({ kind: "retry", mayHaveLanded: true, retryAfterMs: 2000 });
    status = 401;
    retryAfter = undefined;
    answer = { errors: [{ title: "bad key test-api-key" }] };
    const denied = await client.deleteKey("k").catch((e: unknown) => e);
    // The SDK's client scrubs the configured key from every message, even one the API echoes.
    expect(String(denied)).toMatch(/bad key \[REDACTED\]/);
    expect(String(denied)).not.toContain("test-api-key");
    expect(target.classify(denied)).toMatchObject({
      kind: "fatal",
      message: expect.stringMatching(/__ENV_PREFIX___API_KEY/),
    });
    status = 400;
    answer = undefined;
    const refused = await client.createItems([{ key: "k", type: "indicator" }]).catch((e: unknown) => e);
    expect(target.classify(refused)).toMatchObject({ kind: "refused", status: 400, itemIndices: [] });
  });
});
