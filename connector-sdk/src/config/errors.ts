export interface ConfigProblem {
  /** The env var name, e.g. `OPENCTI_URL`. */
  readonly envVar: string;
  /** The config.yml path, e.g. `opencti.url`. */
  readonly yamlPath: string;
  readonly message: string;
}

/** Every configuration problem at once; messages never contain secret values. */
export class ConfigValidationError extends Error {
  override readonly name = "ConfigValidationError";

  constructor(readonly problems: readonly ConfigProblem[]) {
    super(
      `Invalid configuration (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n${problems
        .map((p) => ` - ${p.envVar}${p.yamlPath ? ` (config.yml: ${p.yamlPath})` : ""}: ${p.message}`)
        .join("\n")}`,
    );
  }
}
