import type { ConfigSource } from "./types.js";

/** Where a setting's bad value was read: the env var, the file and key, or the schema default. */
export interface ValueOrigin {
  readonly source: ConfigSource;
  /** The env name (env, .env) or config.yml path (`opencti.url`) actually read; an older alias shows here. */
  readonly name: string;
  /** The config.yml or .env file read (absolute path). */
  readonly file?: string;
}

export interface ConfigProblem {
  /**
   * The env var name, e.g. `OPENCTI_URL` (for a file problem, `CONNECTOR_CONFIG_FILE` or `config.yml`;
   * empty for a cross-field rule, whose message names its variables itself).
   */
  readonly envVar: string;
  /** The config.yml path, e.g. `opencti.url` (empty when there is none). */
  readonly yamlPath: string;
  /** Reads as a sentence after the env name: `is required`, `must be an integer, got "ten"`. Never holds a secret. */
  readonly message: string;
  /** Where the bad value came from; absent when no source set it (a required setting) and for file problems. */
  readonly origin?: ValueOrigin;
}

function originText(problem: ConfigProblem, origin: ValueOrigin): string {
  const alias = origin.name !== problem.envVar ? `, older name of ${problem.envVar}` : "";
  switch (origin.source) {
    case "env":
      return `${origin.name} (environment variable${alias})`;
    case ".env":
      return `${origin.name} (in ${origin.file ?? ".env"}${alias})`;
    case "config.yml":
      return `${origin.name} (in ${origin.file ?? "config.yml"}, env ${problem.envVar})`;
    default:
      return `${problem.envVar} (default value; set ${problem.envVar} or config.yml ${problem.yamlPath})`;
  }
}

/**
 * One line of the error message, naming where the bad value came from:
 * ` - OPENCTI_URL (environment variable): is still the sample value 'ChangeMe'…`,
 * ` - opencti.url (in /etc/connector/config.yml; env OPENCTI_URL would override it): must be an http(s) URL…`,
 * and for a value nobody set: ` - OPENCTI_URL (config.yml: opencti.url): is required`.
 */
export function formatConfigProblem(problem: ConfigProblem): string {
  if (problem.envVar === "") return problem.message;
  if (problem.origin) return `${originText(problem, problem.origin)}: ${problem.message}`;
  const where = problem.yamlPath ? ` (config.yml: ${problem.yamlPath})` : "";
  return `${problem.envVar}${where}: ${problem.message}`;
}

export interface ConfigErrorDetails {
  /** Warnings found while loading (unknown or misspelt names): often the cause of a problem, so they are shown too. */
  readonly warnings?: readonly string[];
  /** The config.yml and .env files that were read. */
  readonly files?: { readonly yaml?: string; readonly dotenv?: string };
}

/**
 * Every configuration problem at once:
 * `Invalid configuration (2 problems):\n - OPENCTI_URL (config.yml: opencti.url): is required\n - …`, then the
 * loader's warnings (`Warnings:\n - …`) when there are any. Messages never contain secret values.
 */
export class ConfigValidationError extends Error {
  override readonly name = "ConfigValidationError";
  readonly warnings: readonly string[];
  readonly files: { readonly yaml?: string; readonly dotenv?: string };

  constructor(
    readonly problems: readonly ConfigProblem[],
    details: ConfigErrorDetails = {},
  ) {
    const warnings = details.warnings ?? [];
    super(
      `Invalid configuration (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n${problems
        .map((p) => ` - ${formatConfigProblem(p)}`)
        .join("\n")}${warnings.length > 0 ? `\nWarnings:\n${warnings.map((w) => ` - ${w}`).join("\n")}` : ""}`,
    );
    this.warnings = warnings;
    this.files = details.files ?? {};
  }
}
