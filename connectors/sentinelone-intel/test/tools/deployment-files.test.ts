/**
 * The hand-written deployment files (README tables, config.yml.sample, .env.sample, docker-compose.yml,
 * Dockerfile) against the config schema, so that they cannot drift from it.
 */

import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import {
  buildConfigSchema,
  type ConfigPropertySchema,
  createMetrics,
  envName,
  loadPluginConfig,
  startMetricsServer,
} from "@octi/connector-sdk";
import { describe, expect, it } from "vitest";
import { plugin } from "../../src/index.js";

const file = (path: string) => readFileSync(fileURLToPath(new URL(`../../${path}`, import.meta.url)), "utf8");
const schema = buildConfigSchema(plugin);
const settings = Object.entries(schema.properties).flatMap(([ns, nsSchema]) =>
  Object.entries(nsSchema.properties).map(([key, prop]) => ({
    ns,
    key,
    env: envName(ns, key),
    prop,
    required: (nsSchema.required ?? []).includes(key),
  })),
);

/** How a default is written in the samples and the README. */
function shown(prop: ConfigPropertySchema): string | undefined {
  if (prop.default === undefined) return undefined;
  return Array.isArray(prop.default) ? prop.default.join(",") : String(prop.default);
}

const unquote = (value: string) => value.trim().replace(/^'(.*)'$/, "$1");

describe("deployment files", () => {
  it("the README documents every setting with its default and whether it is mandatory", () => {
    const readme = file("README.md");
    const rows = new Map<string, { def: string; mandatory: string }>();
    for (const line of readme.split("\n")) {
      const cells = line.split("|").map((c) => c.trim());
      const env = /^`([A-Z0-9_]+)`/.exec(cells[3] ?? "")?.[1];
      if (env && cells.length >= 7) rows.set(env, { def: cells[4]!, mandatory: cells[5]! });
    }
    for (const s of settings) {
      const row = rows.get(s.env);
      expect(row, `${s.env} in the README`).toBeDefined();
      const def = shown(s.prop);
      const expected = def === undefined ? "/" : def === "" ? "(empty)" : `\`${def}\``;
      expect(row!.def, `${s.env} default`).toBe(expected);
      if (s.required) expect(row!.mandatory, `${s.env} mandatory`).toBe("Yes");
    }
    // The older names are documented too.
    expect(readme).toContain("`SENTINELONE_INTEL_URL`");
    expect(readme).toContain("older name `url`");
  });

  it("config.yml.sample has every setting: ChangeMe where required, defaults commented out and correct", () => {
    const lines = file("config.yml.sample").split("\n");
    let ns: string | undefined;
    const found = new Map<string, { value: string; commented: boolean }>();
    for (const line of lines) {
      const section = /^([a-z_]+):\s*$/.exec(line);
      if (section) ns = section[1];
      const entry = /^\s+(#\s*)?([a-z_]+):\s*(.*?)\s*(#.*)?$/.exec(line);
      if (ns && entry && !found.has(`${ns}.${entry[2]}`)) {
        found.set(`${ns}.${entry[2]}`, { value: unquote(entry[3] ?? ""), commented: entry[1] !== undefined });
      }
    }
    for (const s of settings) {
      const entry = found.get(`${s.ns}.${s.key}`);
      expect(entry, `${s.ns}.${s.key} in config.yml.sample`).toBeDefined();
      if (s.required) expect(entry, `${s.ns}.${s.key}`).toEqual({ value: "ChangeMe", commented: false });
      const def = shown(s.prop);
      if (def !== undefined) expect(entry, `${s.ns}.${s.key} default`).toEqual({ value: def, commented: true });
    }
    expect(found.get("sentinelone_intel.account_id")).toEqual({ value: "ChangeMe", commented: false });
  });

  it(".env.sample has every setting: ChangeMe where required, defaults commented out and correct", () => {
    const found = new Map<string, { value: string; commented: boolean }>();
    for (const line of file(".env.sample").split("\n")) {
      const entry = /^(#\s*)?([A-Z0-9_]+)=(.*)$/.exec(line);
      if (entry && !found.has(entry[2]!)) found.set(entry[2]!, { value: entry[3]!, commented: entry[1] !== undefined });
    }
    for (const s of settings) {
      const entry = found.get(s.env);
      expect(entry, `${s.env} in .env.sample`).toBeDefined();
      if (s.required) expect(entry, s.env).toEqual({ value: "ChangeMe", commented: false });
      const def = shown(s.prop);
      if (def !== undefined) expect(entry, `${s.env} default`).toEqual({ value: def, commented: true });
    }
  });

  it("docker-compose.yml lists every variable, sets only what has no default, and is valid once ChangeMe is replaced", () => {
    const compose = file("docker-compose.yml");
    expect(compose).toMatch(/^\s+restart: always$/m);
    expect(compose).toMatch(/^\s+healthcheck:$/m);
    const env: Record<string, string> = {};
    const commented: Record<string, string> = {};
    for (const line of compose.split("\n")) {
      const entry = /^\s+(#\s*)?- ([A-Z0-9_]+)=(.*)$/.exec(line);
      if (!entry) continue;
      if (entry[1]) commented[entry[2]!] ??= entry[3]!;
      else env[entry[2]!] = entry[3]!;
    }
    for (const s of settings) expect([...Object.keys(env), ...Object.keys(commented)], s.env).toContain(s.env);
    for (const s of settings.filter((x) => x.required)) expect(env[s.env], s.env).toBe("ChangeMe");
    // Set: the required values, the account id, the metrics server (health check), both dead-letter files on the volume.
    expect(Object.keys(env).sort()).toEqual(
      [
        ...settings.filter((x) => x.required).map((x) => x.env),
        "SENTINELONE_INTEL_ACCOUNT_ID",
        "CONNECTOR_EXPOSE_METRICS",
        "SENTINELONE_INTEL_DEAD_LETTER_PATH",
        "CONNECTOR_DEAD_LETTER_PATH",
      ].sort(),
    );
    expect(env.CONNECTOR_EXPOSE_METRICS).toBe("true");
    // Commented out: the defaults, as they are.
    for (const s of settings) {
      const def = shown(s.prop);
      if (def !== undefined && def !== "" && commented[s.env] !== undefined) {
        expect(commented[s.env], `${s.env} in docker-compose.yml`).toBe(def);
      }
    }
    const real: Record<string, string> = {
      OPENCTI_URL: "https://opencti.example.com",
      OPENCTI_TOKEN: "token",
      CONNECTOR_ID: "7c9e6679-7425-40de-944b-e07fc1f90ae7",
      CONNECTOR_LIVE_STREAM_ID: "stream",
      SENTINELONE_INTEL_API_URL: "https://console.example.net",
      SENTINELONE_INTEL_API_KEY: "key",
      SENTINELONE_INTEL_ACCOUNT_ID: "1000000000000000001",
    };
    const filled = Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v === "ChangeMe" ? (real[k] ?? v) : v]));
    expect(Object.values(filled)).not.toContain("ChangeMe");
    const loaded = loadPluginConfig(plugin, { env: filled, searchDirs: [] });
    expect(loaded.config).toBeDefined();
    expect(loaded.warnings).toEqual([]);
  });

  it("the Dockerfile is multi-stage, runs as node, and starts dist/main.js", () => {
    const dockerfile = file("Dockerfile");
    expect(dockerfile.match(/^FROM /gm)?.length).toBeGreaterThanOrEqual(2);
    expect(dockerfile).toMatch(/^ARG NODE_IMAGE=node:26-alpine$/m);
    // Native modules (better-sqlite3) compile in both stages that run npm ci.
    expect(dockerfile.match(/^RUN apk add --no-cache python3 make g\+\+$/gm)?.length).toBe(2);
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/^ENTRYPOINT \["node", "connectors\/sentinelone-intel\/dist\/main\.js"\]$/m);
    expect(dockerfile).toMatch(/--omit=dev/);
    const ignore = readFileSync(fileURLToPath(new URL("../../../../.dockerignore", import.meta.url)), "utf8");
    for (const entry of ["**/node_modules", "**/dist", "**/.turbo", ".git"])
      expect(ignore.split("\n")).toContain(entry);
    // The default dead-letter file name is kept out of the build context.
    const deadLetter = String(schema.properties.sentinelone_intel?.properties.dead_letter_path?.default);
    const patterns = ignore.split("\n").filter((l) => l.includes("dead-letter"));
    const asRegExp = (glob: string) =>
      new RegExp(
        `^${glob
          .replace(/^\*\*\//, "")
          .replace(/\./g, "\\.")
          .replace(/\*/g, ".*")}$`,
      );
    expect(patterns.some((p) => asRegExp(p).test(deadLetter))).toBe(true);
  });

  it("the image's HEALTHCHECK command passes against a live /health and fails when nothing listens", async () => {
    const dockerfile = file("Dockerfile");
    const json = /^HEALTHCHECK [^\n]*\\\n\s+CMD (\[.*\])$/m.exec(dockerfile)?.[1];
    expect(json).toBeDefined();
    const [command, ...args] = JSON.parse(json!) as string[];
    expect(command).toBe("node");
    const metrics = createMetrics({ processMetrics: false });
    const server = await startMetricsServer({ port: 0, metrics, health: () => ({ status: "ok" }) });
    // Asynchronous: the server answering the probe lives in this process.
    const probe = (port: number) =>
      new Promise<{ status: number | null; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, args, { env: { ...process.env, CONNECTOR_METRICS_PORT: String(port) } });
        let stderr = "";
        child.stderr.on("data", (chunk: Buffer) => {
          stderr += chunk.toString("utf8");
        });
        child.on("close", (status) => resolve({ status, stderr }));
      });
    try {
      expect((await probe(server.port)).status).toBe(0);
    } finally {
      await server.close();
    }
    const refused = await probe(server.port);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain("is CONNECTOR_EXPOSE_METRICS=true?");
  });
});
