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
  "__A_TITLE__",
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
  /** `an Acme EDR`, `a SentinelOne Intel`: the title after its indefinite article, for mid-sentence use. */
  readonly aTitle: string;
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

/** Acronyms security products are named with; a short word without a vowel (`edr`, `xdr`) is taken for one too. */
const ACRONYMS: ReadonlySet<string> = new Set([
  "ai",
  "api",
  "av",
  "aws",
  "casb",
  "cti",
  "dlp",
  "dns",
  "edr",
  "gcp",
  "ids",
  "ioc",
  "ip",
  "ips",
  "mdr",
  "misp",
  "ml",
  "ndr",
  "ngfw",
  "siem",
  "soar",
  "soc",
  "stix",
  "taxii",
  "ti",
  "tip",
  "ueba",
  "url",
  "vpn",
  "waf",
  "xdr",
  "ztna",
]);
/** Acronyms said as a word (`a SIEM`), not letter by letter (`an EDR`). */
const SPOKEN_ACRONYMS: ReadonlySet<string> = new Set(["casb", "misp", "siem", "soar", "stix", "taxii", "ueba", "waf"]);

function isAcronym(word: string): boolean {
  return ACRONYMS.has(word) || (word.length <= 4 && !/[aeiouy]/.test(word));
}

/** `edr` → `EDR`, `acme` → `Acme`. */
function titleWord(word: string): string {
  return isAcronym(word) ? word.toUpperCase() : capitalize(word);
}

/**
 * `a` or `an` before `title`, by its first sound: a spelt acronym by its first letter's name (`an EDR`, `a CTI`),
 * a word (or a spoken acronym) by its first letter, with the usual exceptions (`a unified`, `a one`, `an hour`).
 */
export function indefiniteArticle(title: string): "a" | "an" {
  const first = title.trim().split(/\s+/)[0] ?? "";
  const lower = first.toLowerCase();
  const spelt = first.length > 1 && first === first.toUpperCase() && /[A-Z]/.test(first) && !SPOKEN_ACRONYMS.has(lower);
  if (spelt) return /^[AEFHILMNORSX]/.test(first) ? "an" : "a";
  if (/^(?:hour|honest|honou?r|heir)/.test(lower)) return "an";
  if (/^(?:uni|use|usu|uti|ura|eu|ewe|one|once)/.test(lower)) return "a";
  return /^[aeiou]/.test(lower) ? "an" : "a";
}

/** Derives every name from a valid slug (call `slugProblems` first). */
export function deriveNames(slug: string, title?: string): ConnectorNames {
  const parts = words(slug);
  const shownTitle = title ?? parts.map(titleWord).join(" ");
  return {
    slug,
    pascalName: parts.map(capitalize).join(""),
    snakeName: parts.join("_"),
    envPrefix: parts.join("_").toUpperCase(),
    title: shownTitle,
    aTitle: `${indefiniteArticle(shownTitle)} ${shownTitle}`,
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
    __A_TITLE__: names.aTitle,
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
