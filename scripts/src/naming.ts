/**
 * Every name of a connector derives from one kebab-case slug (its directory name). The template uses explicit
 * placeholder tokens for these names, never a common word, so filling it cannot touch unrelated text.
 */

/** The placeholder tokens the template may use. None contains another, so the replacement order does not matter. */
export const PLACEHOLDERS = [
  "__SLUG__",
  "__PASCAL_NAME__",
  "__SNAKE_NAME__",
  "__ENV_PREFIX__",
  "__TITLE__",
  "__IMAGE_NAME__",
] as const;

export type Placeholder = (typeof PLACEHOLDERS)[number];

/** Anything shaped like a placeholder (`__UPPER_CASE__`), known or not. Used to prove none is left behind. */
export const PLACEHOLDER_PATTERN = /__[A-Z][A-Z_]*?__/g;

export interface ConnectorNames {
  /** `my-connector`: directory, catalog slug, package name suffix. */
  readonly slug: string;
  /** `MyConnector`: TypeScript identifiers. */
  readonly pascalName: string;
  /** `my_connector`: the config namespace (config.yml key). */
  readonly snakeName: string;
  /** `MY_CONNECTOR`: env var prefix (`MY_CONNECTOR_API_KEY`). */
  readonly envPrefix: string;
  /** `My Connector`: the catalog title and the default `connector.name`. */
  readonly title: string;
  /** `octi-ts/connector-my-connector`: the container image (no tag), in our own namespace (see IMAGE_NAMESPACE). */
  readonly imageName: string;
}

/**
 * Docker namespace of this repository's images. Not `opencti/`: that namespace holds Filigran's (Python) connectors,
 * e.g. `opencti/connector-sentinelone-intel`, and a same-named image would shadow or be shadowed by theirs.
 */
export const IMAGE_NAMESPACE = "octi-ts";

const SLUG_PATTERN = /^[a-z0-9-]+$/;
const TITLE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9 .&()+-]*$/;

/**
 * Problems with a slug, empty when it is valid. Beyond `^[a-z0-9-]+$` and no leading/trailing `-`: it must start
 * with a letter (the env prefix becomes a shell variable name, and `1PASSWORD_API_KEY` is not one), and `--` is
 * refused (it would make `__` in the snake name, which reads as a leftover placeholder).
 */
export function slugProblems(slug: string): string[] {
  const problems: string[] = [];
  if (slug === "") return ["the name is empty"];
  if (!SLUG_PATTERN.test(slug)) {
    const lowered = slug.toLowerCase();
    const hint = SLUG_PATTERN.test(lowered) ? ` (did you mean '${lowered}'?)` : "";
    problems.push(`'${slug}' must match ^[a-z0-9-]+$: lower-case letters, digits and '-' only${hint}`);
    return problems;
  }
  if (slug.startsWith("-") || slug.endsWith("-")) problems.push(`'${slug}' must not start or end with '-'`);
  if (/^[0-9]/.test(slug)) problems.push(`'${slug}' must start with a letter (it becomes an env var prefix)`);
  if (slug.includes("--")) problems.push(`'${slug}' must not contain '--'`);
  return problems;
}

export function titleProblems(title: string): string[] {
  return TITLE_PATTERN.test(title)
    ? []
    : [`title '${title}' may only hold letters, digits, spaces and . & ( ) + - (it is written into JSON, YAML and TS)`];
}

function words(slug: string): string[] {
  return slug.split("-").filter((w) => w !== "");
}

function capitalize(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

/** Derives every name from a valid slug (call `slugProblems` first). */
export function deriveNames(slug: string, title?: string): ConnectorNames {
  const parts = words(slug);
  return {
    slug,
    pascalName: parts.map(capitalize).join(""),
    snakeName: parts.join("_"),
    envPrefix: parts.join("_").toUpperCase(),
    title: title ?? parts.map(capitalize).join(" "),
    imageName: `${IMAGE_NAMESPACE}/connector-${slug}`,
  };
}

/** The value each placeholder is replaced with. */
export function placeholderValues(names: ConnectorNames): Readonly<Record<Placeholder, string>> {
  return {
    __SLUG__: names.slug,
    __PASCAL_NAME__: names.pascalName,
    __SNAKE_NAME__: names.snakeName,
    __ENV_PREFIX__: names.envPrefix,
    __TITLE__: names.title,
    __IMAGE_NAME__: names.imageName,
  };
}

/** Replaces every known placeholder (literal, left to right; unknown `__X__` tokens are left for the check). */
export function fillPlaceholders(text: string, values: Readonly<Record<Placeholder, string>>): string {
  let out = text;
  for (const token of PLACEHOLDERS) out = out.split(token).join(values[token]);
  return out;
}

/** Placeholder-shaped tokens still present in `text` (deduplicated, in order of appearance). */
export function leftoverPlaceholders(text: string): string[] {
  return [...new Set(text.match(PLACEHOLDER_PATTERN) ?? [])];
}
