/**
 * The hand-written deployment files (README tables, config.yml.sample, .env.sample, docker-compose.yml,
 * Dockerfile) against the config schema, so that they cannot drift from it.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { buildConfigSchema, type ConfigPropertySchema, envName, loadConfig } from "@octi/connector-sdk";
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

  it("docker-compose.yml sets every variable, restarts always, and is a valid configuration once ChangeMe is replaced", () => {
    const compose = file("docker-compose.yml");
    expect(compose).toMatch(/^\s+restart: always$/m);
    const env: Record<string, string> = {};
    const listed = new Set<string>();
    for (const line of compose.split("\n")) {
      const entry = /^\s+(#\s*)?- ([A-Z0-9_]+)=(.*)$/.exec(line);
      if (!entry) continue;
      listed.add(entry[2]!);
      if (!entry[1]) env[entry[2]!] = entry[3]!;
    }
    for (const s of settings) expect(listed, `${s.env} in docker-compose.yml`).toContain(s.env);
    for (const s of settings.filter((x) => x.required)) expect(env[s.env], s.env).toBe("ChangeMe");
    expect(env.SENTINELONE_INTEL_ACCOUNT_ID).toBe("ChangeMe");

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
    const loaded = loadConfig(schema, {
      env: filled,
      searchDirs: [],
      crossFieldRules: plugin.crossFieldRules as never,
    });
    // Every value the compose file sets explicitly is the default, except where it says otherwise.
    for (const s of settings) {
      if (filled[s.env] === undefined || filled[s.env] === "" || real[s.env] !== undefined) continue;
      if (s.env === "SENTINELONE_INTEL_DEAD_LETTER_PATH") continue; // on the data volume
      expect(String(shown(s.prop)), `${s.env} in docker-compose.yml`).toBe(filled[s.env]);
    }
    expect(loaded.config).toBeDefined();
  });

  it("the Dockerfile is multi-stage, runs as node, and starts dist/main.js", () => {
    const dockerfile = file("Dockerfile");
    expect(dockerfile.match(/^FROM /gm)?.length).toBeGreaterThanOrEqual(2);
    expect(dockerfile).toMatch(/^ARG NODE_IMAGE=node:20-alpine$/m);
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/^ENTRYPOINT \["node", "connectors\/sentinelone-intel\/dist\/main\.js"\]$/m);
    expect(dockerfile).toMatch(/--omit=dev/);
    const ignore = readFileSync(fileURLToPath(new URL("../../../../.dockerignore", import.meta.url)), "utf8");
    for (const entry of ["**/node_modules", "**/dist", "**/.turbo", ".git"])
      expect(ignore.split("\n")).toContain(entry);
  });
});
