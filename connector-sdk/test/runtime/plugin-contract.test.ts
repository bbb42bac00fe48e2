/**
 * The plugin contract (decision 0014): the settings type follows the schema, `resolve` and the cross-field rules see
 * the connector's namespace, and a failing `createHandler` reports its own error.
 */
import { describe, expect, expectTypeOf, it } from "vitest";
import { ConfigValidationError } from "../../src/config/errors.js";
import type { FromSchema } from "../../src/config/from-schema.js";
import type { NamespaceSchema } from "../../src/config/types.js";
import { definePlugin, type PluginContext } from "../../src/runtime/plugin.js";
import { loadPluginConfig } from "../../src/runtime/plugin-config.js";
import { startConnector } from "../../src/runtime/runner.js";

const schema = {
  type: "object",
  properties: {
    url: { type: "string", format: "uri", description: "u" },
    size: { type: "integer", default: 5, description: "s" },
    ratio: { type: "number", description: "r" },
    verify: { type: "boolean", default: true, description: "v" },
    mode: { type: "string", enum: ["fast", "safe"], default: "safe", description: "m" },
    tags: { type: "array", items: { type: "string" }, description: "t" },
    ports: { type: "array", items: { type: "integer" }, default: [443], description: "p" },
  },
  required: ["url"],
} as const satisfies NamespaceSchema;

const env = {
  OPENCTI_URL: "http://opencti.invalid",
  OPENCTI_TOKEN: "t",
  CONNECTOR_ID: "0c4ea2d7-0d4b-4a6e-9c55-1f1bb3f8f0a1",
  CONNECTOR_LIVE_STREAM_ID: "live",
  DEMO_URL: "https://example.com/",
};

const manifest = { slug: "demo", namespace: "demo", version: "0.0.0", connectorDefaults: { name: "Demo" } };
const handler = { handle: async () => undefined };

describe("the plugin contract", () => {
  it("types a namespace from its schema: required and defaulted keys present, the others optional", () => {
    expectTypeOf<FromSchema<typeof schema>>().toEqualTypeOf<{
      readonly url: string;
      readonly size: number;
      readonly verify: boolean;
      readonly mode: "fast" | "safe";
      readonly ports: readonly number[];
      readonly ratio?: number;
      readonly tags?: readonly string[];
    }>();
  });

  it("hands createHandler the values as loaded when there is no resolve, and what resolve returns otherwise", () => {
    const raw = definePlugin({ manifest, configSchema: schema, createHandler: () => handler });
    expect(loadPluginConfig(raw, { env, searchDirs: [] }).settings).toEqual({
      url: "https://example.com/",
      size: 5,
      verify: true,
      mode: "safe",
      ports: [443],
    });
    const resolved = definePlugin({
      manifest,
      configSchema: schema,
      resolve: (values) => ({ origin: new URL(values.url).origin, sizes: values.ports.length * values.size }),
      createHandler: (ctx) => {
        expectTypeOf(ctx).toEqualTypeOf<PluginContext<{ origin: string; sizes: number }>>();
        return handler;
      },
    });
    expect(loadPluginConfig(resolved, { env, searchDirs: [] }).settings).toEqual({
      origin: "https://example.com",
      sizes: 5,
    });
  });

  it("runs the cross-field rules on the connector's namespace, with the other problems", () => {
    const plugin = definePlugin({
      manifest,
      configSchema: schema,
      crossFieldRules: (values) =>
        values.mode === "fast" && values.verify ? ["fast mode needs DEMO_VERIFY=false"] : [],
      createHandler: () => handler,
    });
    const load = () => loadPluginConfig(plugin, { env: { ...env, DEMO_MODE: "fast", DEMO_SIZE: "x" }, searchDirs: [] });
    expect(load).toThrow(ConfigValidationError);
    expect(load).toThrow(/DEMO_SIZE[\s\S]*fast mode needs DEMO_VERIFY=false/);
  });

  it("lets a failing createHandler throw its own error from startConnector", async () => {
    const plugin = definePlugin({
      manifest,
      configSchema: schema,
      createHandler: () => {
        throw new Error("cannot read the CA file /nowhere.pem");
      },
    });
    await expect(startConnector(plugin, { env, searchDirs: [] })).rejects.toThrow(
      /^cannot read the CA file \/nowhere\.pem$/,
    );
  });
});
