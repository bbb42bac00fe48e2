import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_STREAM_ID, OpenCtiSimulator, resolveSchemaPath } from "../src/index.js";
import { CONNECTOR_INFO, gql, PING, REGISTER, registerInput } from "./helpers.js";

const TOKEN = "opencti-test-token";

describe("OpenCTI simulator: GraphQL", () => {
  let sim: OpenCtiSimulator;
  let url: string;

  beforeAll(async () => {
    sim = new OpenCtiSimulator({
      users: [{ token: "user-token", admin: false }],
      streams: [
        { id: DEFAULT_STREAM_ID, name: "Indicators", description: "only indicators", filters: '{"mode":"and"}' },
        { id: "stopped-stream", started: false },
      ],
    });
    url = await sim.start();
  });

  afterAll(async () => {
    await sim.stop();
  });

  it("answers the health check with the platform version", async () => {
    const res = await gql(url, "query healthCheck { about { version } }");
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ data: { about: { version: "6.9.17" } } });
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it("rejects a document that does not validate against the schema with HTTP 400 GRAPHQL_VALIDATION_FAILED", async () => {
    const res = await gql(url, "query { about { no_such_field } }");
    expect(res.status).toBe(400);
    expect(res.body.data).toBeUndefined();
    expect(res.body.errors?.[0]?.extensions?.code).toBe("GRAPHQL_VALIDATION_FAILED");
    expect(res.body.errors?.[0]?.message).toMatch(/no_such_field/);
    const wrongArg = await gql(url, "mutation { pingConnector(id: 1, bogus: true) { id } }");
    expect(wrongArg.status).toBe(400);
    expect(wrongArg.body.errors?.every((e) => e.extensions?.code === "GRAPHQL_VALIDATION_FAILED")).toBe(true);
  });

  it("rejects a syntax error with HTTP 400 GRAPHQL_PARSE_FAILED", async () => {
    const res = await gql(url, "query { about { version }");
    expect(res.status).toBe(400);
    expect(res.body.errors?.[0]?.extensions?.code).toBe("GRAPHQL_PARSE_FAILED");
  });

  it("register + ping round-trip: the state is stored and register returns it", async () => {
    const input = registerInput();
    const reg = await gql(url, REGISTER, { input });
    expect(reg.status).toBe(200);
    expect(reg.body.errors).toBeUndefined();
    const registered = reg.body.data?.registerConnector as Record<string, unknown>;
    expect(registered).toMatchObject({
      id: input.id,
      connector_state: null,
      connector_user_id: "88ec0c6a-13ce-5e39-b486-354fe4a7084f",
    });
    expect(registered.config).toMatchObject({
      connection: { host: expect.any(String), vhost: expect.any(String), use_ssl: false, port: expect.any(Number) },
      listen: `listen_${input.id}`,
      push_exchange: expect.any(String),
    });

    const state = '{"start_from": "1712345678901-0", "recover_until": "2024-04-05T12:00:00Z"}';
    const ping = await gql(url, PING, { id: input.id, state, connectorInfo: CONNECTOR_INFO });
    expect(ping.body.errors).toBeUndefined();
    expect(ping.body.data?.pingConnector).toMatchObject({
      id: input.id,
      connector_state: state,
      connector_info: CONNECTOR_INFO,
    });

    const view = sim.connector(input.id)!;
    expect(view).toMatchObject({
      name: "Test stream connector",
      type: "STREAM",
      state,
      pingCount: 1,
      registeredCount: 1,
      active: true,
    });
    expect(view.lastPingAt).not.toBeNull();

    const again = await gql(url, REGISTER, { input: { ...input, name: "Renamed" } });
    expect(again.body.data?.registerConnector).toHaveProperty("connector_state", state);
    expect((again.body.data!.registerConnector as Record<string, unknown>).connector_state).toBe(state);
    expect(sim.connector(input.id)).toMatchObject({ name: "Renamed", registeredCount: 2 });
    expect(sim.connectors().map((c) => c.id)).toContain(input.id);

    const fromQuery = await gql(
      url,
      "query C($id: String!) { connector(id: $id) { id name connector_state active } }",
      { id: input.id },
    );
    expect(fromQuery.body.data?.connector).toEqual({
      id: input.id,
      name: "Renamed",
      connector_state: state,
      active: true,
    });
  });

  it("after a UI reset the next ping only clears the flag, is not stored, and returns ''", async () => {
    const input = registerInput();
    await gql(url, REGISTER, { input });
    await gql(url, PING, { id: input.id, state: '{"start_from": "5-0"}', connectorInfo: CONNECTOR_INFO });
    sim.resetState(input.id);
    expect(sim.connector(input.id)).toMatchObject({ state: "", stateReset: true });

    const first = await gql(url, PING, { id: input.id, state: '{"start_from": "6-0"}', connectorInfo: CONNECTOR_INFO });
    expect((first.body.data!.pingConnector as Record<string, unknown>).connector_state).toBe("");
    expect(sim.connector(input.id)).toMatchObject({ state: "", stateReset: false, pingCount: 2 });

    const second = await gql(url, PING, {
      id: input.id,
      state: '{"start_from": "0-0"}',
      connectorInfo: CONNECTOR_INFO,
    });
    expect((second.body.data!.pingConnector as Record<string, unknown>).connector_state).toBe('{"start_from": "0-0"}');

    // The GraphQL mutation does the same as the UI action.
    const reset = await gql(
      url,
      "mutation R($id: ID!) { resetStateConnector(id: $id) { id connector_state connector_state_reset } }",
      { id: input.id },
    );
    expect(reset.body.data?.resetStateConnector).toEqual({
      id: input.id,
      connector_state: "",
      connector_state_reset: true,
    });
    expect(() => sim.resetState("4b3f0e1e-0000-4000-8000-000000000000")).toThrow(/no connector/);
  });

  it("a ping for an unknown connector is a FUNCTIONAL_ERROR (HTTP 200)", async () => {
    const res = await gql(url, PING, {
      id: "4b3f0e1e-0000-4000-8000-000000000001",
      state: "null",
      connectorInfo: CONNECTOR_INFO,
    });
    expect(res.status).toBe(200);
    expect(res.body.errors?.[0]).toMatchObject({
      message: "No connector found with the specified ID",
      extensions: { code: "FUNCTIONAL_ERROR" },
    });
    expect(res.body.data).toEqual({ pingConnector: null });
  });

  it("validates registerConnector input: @constraint(minLength: 2) on name, and a UUID id", async () => {
    const shortName = await gql(url, REGISTER, { input: registerInput({ name: "x" }) });
    expect(shortName.body.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    expect(shortName.body.errors?.[0]?.message).toMatch(/at least 2 characters/);
    const blank = await gql(url, REGISTER, { input: registerInput({ name: "   " }) });
    expect(blank.body.errors?.[0]?.message).toMatch(/not-blank/);
    const badId = await gql(url, REGISTER, { input: registerInput({ id: "my-connector" }) });
    expect(badId.body.errors?.[0]?.extensions?.code).toBe("FUNCTIONAL_ERROR");
    expect(badId.body.errors?.[0]?.message).toMatch(/UUID/);
    const badType = await gql(url, REGISTER, { input: registerInput({ type: "NOT_A_TYPE" }) });
    expect(badType.status).toBe(400);
    expect(badType.body.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    expect(sim.connectors().some((c) => c.name === "x" || c.id === "my-connector")).toBe(false);
  });

  it("auth: missing or bad token gets HTTP 200 with AUTH_REQUIRED; rejectToken refuses the good one", async () => {
    for (const token of [null, "wrong-token"]) {
      const res = await gql(url, "query healthCheck { about { version } }", {}, token);
      expect(res.status).toBe(200);
      expect(res.body.errors?.[0]).toMatchObject({
        message: "You must be logged in to do this.",
        extensions: { code: "AUTH_REQUIRED" },
      });
      expect(res.body.data).toEqual({ about: null });
    }
    const lowerScheme = await gql(url, "{ about { version } }", {}, null, { authorization: `bearer ${TOKEN}` });
    expect(lowerScheme.body.errors?.[0]?.extensions?.code).toBe("AUTH_REQUIRED");
    const upperHeader = await gql(url, "{ about { version } }", {}, null, { AUTHORIZATION: `Bearer ${TOKEN}` });
    expect(upperHeader.body.data).toEqual({ about: { version: "6.9.17" } });
    sim.rejectToken(true);
    try {
      const refused = await gql(url, "{ about { version } }");
      expect(refused.body.errors?.[0]?.extensions?.code).toBe("AUTH_REQUIRED");
    } finally {
      sim.rejectToken(false);
    }
    expect((await gql(url, "{ about { version } }")).body.data).toEqual({ about: { version: "6.9.17" } });
  });

  it("a non-admin user may register but not reset or delete (FORBIDDEN_ACCESS)", async () => {
    const input = registerInput();
    const reg = await gql(url, REGISTER, { input }, "user-token");
    expect(reg.body.errors).toBeUndefined();
    const del = await gql(url, "mutation D($id: ID!) { deleteConnector(id: $id) }", { id: input.id }, "user-token");
    expect(del.body.errors?.[0]?.extensions?.code).toBe("FORBIDDEN_ACCESS");
    const adminDel = await gql(url, "mutation D($id: ID!) { deleteConnector(id: $id) }", { id: input.id });
    expect(adminDel.body.data).toEqual({ deleteConnector: input.id });
    expect(sim.connector(input.id)).toBeUndefined();
  });

  it("streamCollection returns the collection, or null for an unknown id", async () => {
    const q =
      "query StreamCollection($id: String!) { streamCollection(id: $id) { id name description filters stream_live stream_public } }";
    const known = await gql(url, q, { id: DEFAULT_STREAM_ID });
    expect(known.body.data?.streamCollection).toEqual({
      id: DEFAULT_STREAM_ID,
      name: "Indicators",
      description: "only indicators",
      filters: '{"mode":"and"}',
      stream_live: true,
      stream_public: false,
    });
    expect((await gql(url, q, { id: "stopped-stream" })).body.data?.streamCollection).toMatchObject({
      stream_live: false,
    });
    expect((await gql(url, q, { id: "nope" })).body).toEqual({ data: { streamCollection: null } });
  });

  it("an unimplemented root field is an explicit error, not a silent null", async () => {
    const res = await gql(url, "{ me { id } }");
    expect(res.body.errors?.[0]?.message).toMatch(/does not implement Query\.me/);
  });

  it("records every request with operation name, variables and headers", async () => {
    sim.clearRequestLogs();
    await gql(url, "query healthCheck { about { version } }", {}, TOKEN, { "User-Agent": "pycti/6.8.10" });
    await gql(url, PING, { id: "4b3f0e1e-0000-4000-8000-000000000002", state: "null", connectorInfo: CONNECTOR_INFO });
    expect(sim.graphqlRequests.map((r) => r.operationName)).toEqual(["healthCheck", "PingConnector"]);
    const [health, ping] = sim.graphqlRequests;
    expect(health!.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(health!.headers["user-agent"]).toBe("pycti/6.8.10");
    expect(health!.status).toBe(200);
    expect(ping!.variables).toMatchObject({ id: "4b3f0e1e-0000-4000-8000-000000000002", state: "null" });
    expect(ping!.errorCodes).toEqual(["FUNCTIONAL_ERROR"]);
  });

  it("failGraphql(n, status) answers the next n requests with a proxy error page", async () => {
    sim.failGraphql(2, 503);
    const first = await gql(url, "{ about { version } }");
    const second = await gql(url, "{ about { version } }");
    const third = await gql(url, "{ about { version } }");
    expect([first.status, second.status, third.status]).toEqual([503, 503, 200]);
    expect(first.text).toMatch(/<html>/);
    sim.failGraphql(1);
    expect((await gql(url, "{ about { version } }")).status).toBe(502);
  });

  it("non-JSON bodies and GET get HTTP 400; unknown paths 404", async () => {
    const bad = await fetch(`${url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{",
    });
    expect(bad.status).toBe(400);
    expect((await fetch(`${url}/graphql`)).status).toBe(400);
    expect((await fetch(`${url}/nothing-here`)).status).toBe(404);
    expect((await fetch(`${url}/__sim/status`)).status).toBe(404); // control API is off by default
  });
});

describe("schema location", () => {
  it("resolves ../schema/opencti.graphql from both src and dist layouts", () => {
    const root = mkdtempSync(join(tmpdir(), "octi-schema-"));
    try {
      mkdirSync(join(root, "schema"));
      mkdirSync(join(root, "dist"), { recursive: true });
      writeFileSync(join(root, "schema", "opencti.graphql"), "type Query { a: Int }");
      const fromDist = pathToFileURL(join(root, "dist", "schema.js")).href;
      expect(resolveSchemaPath(fromDist)).toBe(join(root, "schema", "opencti.graphql"));
      const deeper = pathToFileURL(join(root, "dist", "nested", "x.js")).href;
      expect(resolveSchemaPath(deeper)).toBe(join(root, "schema", "opencti.graphql"));
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
    expect(resolveSchemaPath()).toMatch(/connector-sdk-testing[/\\]schema[/\\]opencti\.graphql$/);
  });
});
