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
}

/** One line of the error message: ` - OPENCTI_URL (config.yml: opencti.url): is required`. */
export function formatConfigProblem(problem: ConfigProblem): string {
  if (problem.envVar === "") return problem.message;
  const where = problem.yamlPath ? ` (config.yml: ${problem.yamlPath})` : "";
  return `${problem.envVar}${where}: ${problem.message}`;
}

/**
 * Every configuration problem at once:
 * `Invalid configuration (2 problems):\n - OPENCTI_URL (config.yml: opencti.url): is required\n - …`.
 * Messages never contain secret values.
 */
export class ConfigValidationError extends Error {
  override readonly name = "ConfigValidationError";

  constructor(readonly problems: readonly ConfigProblem[]) {
    super(
      `Invalid configuration (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n${problems
        .map((p) => ` - ${formatConfigProblem(p)}`)
        .join("\n")}`,
    );
  }
}
