/**
 * `npm run config:check [-- --connect]`: loads the configuration exactly as a run does (same schema, same loader,
 * same search directories as `runMain`), prints every resolved value with where it came from, secrets redacted,
 * and exits 1 listing every problem. With `--connect` it also checks, read-only:
 * - OpenCTI: the platform answers `about { version }`, the token is accepted, the live stream exists (and is started);
 * - SentinelOne: the API key and scope, with `GET /web/api/v2.1/threat-intelligence/iocs?limit=1&<scope>`.
 * Nothing is registered, pinged, created or deleted.
 */
import {
  buildConfigSchema,
  type ConfigSource,
  ConfigValidationError,
  createHttpAgents,
  createMetrics,
  createScrubber,
  envName,
  formatConfigProblem,
  HttpTargetError,
  loadPluginConfig,
  OpenCtiApiError,
  OpenCtiClient,
  redactConfig,
  tlsFrom,
} from "@octi/connector-sdk";
import type { SentinelOneConfig } from "../config-schema.js";
import { plugin } from "../index.js";
import { SentinelOneMetrics } from "../metrics.js";
import { API_PREFIX, SentinelOneClient } from "../sentinelone/client.js";
import { VERSION } from "../version.js";
import { type CliIo, parseArgs, UsageError } from "./args.js";
import { runSearchDirs } from "./paths.js";

export interface ConfigCheckOptions {
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Default: the directories a run searches (`runSearchDirs`). */
  readonly searchDirs?: readonly string[];
  readonly connect?: boolean;
  /** Per-remote timeout for `--connect` (ms, default 15 000). */
  readonly timeoutMs?: number;
}

export type CheckStatus = "ok" | "failed" | "skipped";

export interface ConnectCheck {
  readonly name: string;
  /** `skipped`: not run because an earlier check failed (the detail says which); never counted as a failure. */
  readonly status: CheckStatus;
  /** `ok (…)`, `failed: <reason>` or `skipped: <why>`. */
  readonly detail: string;
}

export interface ConfigCheckResult {
  readonly exitCode: 0 | 1;
  /** Everything printed, in order (secrets redacted). */
  readonly text: string;
  readonly valid: boolean;
  readonly problems: readonly string[];
  readonly checks: readonly ConnectCheck[];
}

/** `config[ns][key]` of a typed config, read by name. */
function valueAt(config: object, ns: string, key: string): unknown {
  const section: unknown = Reflect.get(config, ns);
  return typeof section === "object" && section !== null ? Reflect.get(section, key) : undefined;
}

function display(value: unknown): string {
  if (value === undefined) return "(not set)";
  if (typeof value === "string") return value === "" ? '""' : value;
  return JSON.stringify(value);
}

/** The config.yml and .env a run reads (the first found in the search order), for the header. */
function filesRead(
  files: { readonly yaml?: string; readonly dotenv?: string },
  searchDirs: readonly string[],
): string[] {
  const none = `none (looked in ${searchDirs.join(", ")})`;
  return [`config.yml  ${files.yaml ?? none}`, `.env        ${files.dotenv ?? none}`];
}

async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer from ${what} within ${Math.round(ms / 1000)} s`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

const reasonOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** A 404 from SentinelOne means the URL does not lead to the API: say what the setting must hold. */
function sentinelOneReason(error: unknown, apiUrl: string): string {
  const reason = reasonOf(error);
  if (!(error instanceof HttpTargetError) || error.status !== 404) return reason;
  const path = new URL(apiUrl).pathname.replace(/\/+$/, "");
  const fix =
    path === ""
      ? "check that it is your management console's address (e.g. https://your-console.sentinelone.net)"
      : `it has a path (${path}): use the console's base URL without it (e.g. https://your-console.sentinelone.net)`;
  return `${reason}. No API at ${apiUrl}${API_PREFIX}: SENTINELONE_INTEL_API_URL must be the console's base URL, ${fix}; the connector adds ${API_PREFIX} itself`;
}

/** The `--connect` checks, in order; later OpenCTI checks are skipped (with why) when an earlier one failed. */
export async function connectChecks(
  config: SentinelOneConfig,
  env: ConfigCheckOptions["env"],
  timeoutMs = 15_000,
): Promise<ConnectCheck[]> {
  const checks: ConnectCheck[] = [];
  const ok = (name: string, detail: string) => checks.push({ name, status: "ok", detail: `ok (${detail})` });
  const failed = (name: string, reason: string) => checks.push({ name, status: "failed", detail: `failed: ${reason}` });
  const skipped = (name: string, why: string) => checks.push({ name, status: "skipped", detail: `skipped: ${why}` });
  const agents = createHttpAgents(env);

  const opencti = new OpenCtiClient({
    url: config.opencti.url,
    token: config.opencti.token,
    tls: tlsFrom(config.opencti.ssl_verify),
    agents,
    customHeaders: config.opencti.custom_headers,
    userAgent: `octi-connector-sentinelone-intel/${VERSION} (config check)`,
    timeoutMs,
  });
  const platform = "OpenCTI platform (about.version)";
  const token = "OpenCTI token";
  const stream = `OpenCTI live stream ${config.connector.live_stream_id}`;
  let reachable = false;
  try {
    const version = await withTimeout(opencti.healthCheck(), timeoutMs + 1000, "OpenCTI");
    reachable = true;
    ok(platform, `OpenCTI ${version} at ${config.opencti.url}`);
    ok(token, "accepted");
  } catch (error) {
    if (error instanceof OpenCtiApiError && (error.kind === "auth" || error.kind === "forbidden")) {
      reachable = true;
      ok(platform, `answering at ${config.opencti.url}`);
      failed(token, reasonOf(error));
    } else {
      failed(platform, reasonOf(error));
      skipped(token, "OpenCTI did not answer");
    }
  }
  if (!reachable || checks.some((c) => c.name === token && c.status !== "ok")) {
    skipped(stream, reachable ? "the token was refused" : "OpenCTI did not answer");
  } else {
    try {
      const info = await withTimeout(
        opencti.streamCollection(config.connector.live_stream_id),
        timeoutMs + 1000,
        "OpenCTI",
      );
      if (!info) {
        failed(stream, "no live stream with this id is visible to this token (Data sharing → Live streams)");
      } else if (info.stream_live === false) {
        failed(stream, `"${info.name ?? info.id}" exists but is stopped: start it in Data sharing → Live streams`);
      } else {
        ok(stream, `"${info.name ?? info.id}", started`);
      }
    } catch (error) {
      failed(stream, reasonOf(error));
    }
  }

  const settings = plugin.resolve(config.sentinelone_intel);
  const scope = settings.scope.accountId
    ? `accountIds=${settings.scope.accountId}`
    : settings.scope.siteId
      ? `siteIds=${settings.scope.siteId}`
      : "the token's own scope";
  const s1 = `SentinelOne API key and scope (GET iocs?limit=1, ${scope})`;
  try {
    // A private registry: the check's request counter must not touch anything else.
    const metrics = new SentinelOneMetrics(createMetrics({ namespace: "", subsystem: "" }));
    const client = new SentinelOneClient(settings, agents, metrics);
    const page = await withTimeout(
      client.listIocs({ limit: 1, source: null }),
      settings.requestTimeoutMs + 1000,
      "SentinelOne",
    );
    ok(s1, page.totalItems === undefined ? "listing allowed" : `${page.totalItems} IOCs visible in this scope`);
  } catch (error) {
    failed(s1, sentinelOneReason(error, settings.apiUrl));
  }
  return checks;
}

/** Runs the check; never throws for configuration problems (they are the result). */
export async function runConfigCheck(options: ConfigCheckOptions): Promise<ConfigCheckResult> {
  const searchDirs = options.searchDirs ?? runSearchDirs();
  const schema = buildConfigSchema(plugin);
  const header = `SentinelOne Intel connector ${VERSION}: configuration check`;
  const lines: string[] = [];
  let config: SentinelOneConfig;
  let sources: Readonly<Record<string, ConfigSource>>;
  let secrets: readonly string[];
  try {
    const loaded = loadPluginConfig(plugin, { env: options.env, searchDirs: [...searchDirs] });
    config = { ...loaded.config, sentinelone_intel: loaded.values };
    sources = loaded.sources;
    secrets = loaded.secrets;
    lines.push(header, ...filesRead(loaded.files, searchDirs), "");
    for (const warning of loaded.warnings) lines.push(`warning: ${warning}`);
  } catch (error) {
    if (!(error instanceof ConfigValidationError)) throw error;
    // The loader scrubbed every secret it read (from every source) out of its messages.
    lines.push(header, ...filesRead(error.files, searchDirs), "");
    lines.push(error.message, "", "The configuration is NOT valid: fix the problems above.");
    return {
      exitCode: 1,
      text: `${lines.join("\n")}\n`,
      valid: false,
      problems: error.problems.map(formatConfigProblem),
      checks: [],
    };
  }
  const scrub = createScrubber(secrets);
  const redacted = redactConfig(config, schema);

  const rows: [string, string, string, string][] = [["setting", "env var", "value", "source"]];
  for (const [ns, nsSchema] of Object.entries(schema.properties)) {
    for (const key of Object.keys(nsSchema.properties)) {
      const name = envName(ns, key);
      rows.push([`${ns}.${key}`, name, display(valueAt(redacted, ns, key)), sources[name] ?? "default"]);
    }
  }
  const widths = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i]?.length ?? 0)));
  for (const [index, row] of rows.entries()) {
    lines.push(
      row
        .map((cell, i) => (i < 3 ? cell.padEnd(widths[i] ?? 0) : cell))
        .join("  ")
        .trimEnd(),
    );
    if (index === 0) lines.push(`${widths.map((w) => "-".repeat(w)).join("  ")}  ------`);
  }
  lines.push("", "The configuration is valid.");

  let checks: ConnectCheck[] = [];
  if (options.connect) {
    lines.push("", "Connection checks (read-only):");
    checks = await connectChecks(config, options.env, options.timeoutMs);
    const width = Math.max(...checks.map((c) => c.name.length));
    for (const check of checks) lines.push(`  ${check.name.padEnd(width)}  ${check.detail}`);
    const failures = checks.filter((c) => c.status === "failed").length;
    const skips = checks.filter((c) => c.status === "skipped").length;
    const skipNote = skips === 0 ? "" : `, ${skips} skipped`;
    lines.push("", failures === 0 ? `Every check passed${skipNote}.` : `${failures} check(s) failed${skipNote}.`);
  }
  return {
    exitCode: checks.some((c) => c.status !== "ok") ? 1 : 0,
    text: scrub.text(`${lines.join("\n")}\n`),
    valid: true,
    problems: [],
    checks: checks.map((c) => ({ ...c, detail: scrub.text(c.detail) })),
  };
}

export const CONFIG_CHECK_USAGE = `Usage: npm run config:check [-- --connect]

Loads the SentinelOne Intel configuration exactly as the connector does (environment variables, then config.yml,
then .env, in the current directory, the connector directory or its src/; then defaults), prints every value with
its source (secrets redacted), and lists every problem. Exit code 1 when the configuration is invalid.

  --connect   also check OpenCTI (platform, token, live stream) and SentinelOne (API key and scope, one
              read-only GET); exit code 1 if any check fails
`;

export async function configCheckCli(argv: readonly string[], io: CliIo): Promise<number> {
  let connect: boolean;
  try {
    const args = parseArgs(argv, { flags: ["connect"] });
    if (args.flags.has("help")) {
      io.out(CONFIG_CHECK_USAGE);
      return 0;
    }
    if (args.positionals.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(args.positionals[0])}`);
    connect = args.flags.has("connect");
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.err(`${error.message}\n\n${CONFIG_CHECK_USAGE}`);
    return 2;
  }
  const result = await runConfigCheck({ env: io.env, searchDirs: runSearchDirs(io.cwd), connect });
  io.out(result.text);
  return result.exitCode;
}
