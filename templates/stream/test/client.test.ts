/** The HTTP client against a local server (loopback, port 0): the requests it sends and the errors it tolerates. */
import { Agent, createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { buildConfigSchema, type HttpAgents, loadConfig } from "@octi/connector-sdk";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Http__PASCAL_NAME__Client } from "../src/client.js";
import { type __PASCAL_NAME__Config, plugin } from "../src/index.js";

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
  let client: Http__PASCAL_NAME__Client;

  beforeEach(async () => {
    seen = [];
    status = 204;
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
        response.end();
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
    const { config } = loadConfig<__PASCAL_NAME__Config>(buildConfigSchema(plugin), { env, searchDirs: [] });
    client = new Http__PASCAL_NAME__Client(config, agents);
  });

  afterEach(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it("sends an item with PUT /items/{id}, authenticated with the API key", async () => {
    await client.upsert({
      id: "indicator--1",
      type: "indicator",
      name: "one",
      pattern: "[ipv4-addr:value = '10.0.0.1']",
    });
    expect(seen).toEqual([
      {
        method: "PUT",
        url: "/items/indicator--1",
        authorization: "Bearer test-api-key",
        body: JSON.stringify({
          id: "indicator--1",
          type: "indicator",
          name: "one",
          pattern: "[ipv4-addr:value = '10.0.0.1']",
        }),
      },
    ]);
  });

  it("removes an item with DELETE /items/{id} and treats 404 as already removed", async () => {
    status = 404;
    await expect(client.remove("indicator--2")).resolves.toBeUndefined();
    expect(seen.map((s) => `${s.method} ${s.url}`)).toEqual(["DELETE /items/indicator--2"]);
  });

  it("fails on a server error", async () => {
    status = 500;
    await expect(client.upsert({ id: "indicator--3", type: "indicator" })).rejects.toThrow(/500/);
    await expect(client.remove("indicator--3")).rejects.toThrow(/500/);
  });
});
