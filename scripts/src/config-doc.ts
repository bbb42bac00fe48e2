/**
 * `renderConfigDoc`: `__metadata__/CONNECTOR_CONFIG_DOC.md` from the flattened env schema, in the shape OpenCTI's
 * generated docs have (title, fixed sentence, one table, required rows first).
 */
import type { EnvPropertySchema, EnvSchema } from "./env-schema.js";

export const DOC_TITLE = "# Connector Configurations";
export const DOC_SENTENCE =
  "Below is an exhaustive enumeration of all configurable parameters available, each accompanied by detailed " +
  "explanations of their purposes, default behaviors, and usage guidelines to help you understand and utilize them " +
  "effectively.";
export const DOC_COLUMNS = ["Property", "Type", "Required", "Possible values", "Default", "Description"] as const;

const FORMATS_LINK = "https://json-schema.org/understanding-json-schema/reference/string#built-in-formats";

/** One table cell: no line breaks, `|` escaped. */
function cell(text: string): string {
  return text.replace(/\r?\n/g, " ").replace(/\|/g, "\\|").trim();
}

function code(value: string): string {
  return `\`${value.replace(/`/g, "'")}\``;
}

function types(property: EnvPropertySchema): string[] {
  if (property.const !== undefined) return ["const"];
  const type = property.type;
  if (Array.isArray(type)) return type.map(String);
  return typeof type === "string" ? [type] : [];
}

function range(property: EnvPropertySchema): string | undefined {
  const min = typeof property.minimum === "number" ? property.minimum : undefined;
  const max = typeof property.maximum === "number" ? property.maximum : undefined;
  if (min !== undefined && max !== undefined) return code(`${min} <= x <= ${max}`);
  if (min !== undefined) return code(`x >= ${min}`);
  if (max !== undefined) return code(`x <= ${max}`);
  return undefined;
}

function possibleValues(property: EnvPropertySchema): string {
  if (property.const !== undefined) return code(String(property.const));
  if (Array.isArray(property.enum)) return property.enum.map((v) => code(String(v))).join(" ");
  const parts: string[] = [];
  if (typeof property.format === "string") parts.push(`Format: [${code(property.format)}](${FORMATS_LINK})`);
  const bounds = range(property);
  if (bounds) parts.push(bounds);
  if (typeof property.pattern === "string") parts.push(`Pattern: ${code(property.pattern)}`);
  if (parts.length > 0) return parts.join(" ");
  const items = property.items as { type?: unknown } | undefined;
  if (types(property).includes("array") && typeof items?.type === "string") return items.type;
  return types(property).join(" or ");
}

function description(property: EnvPropertySchema): string {
  const text = typeof property.description === "string" ? property.description : "";
  return property.deprecated === true && !/^deprecated/i.test(text) ? `Deprecated. ${text}`.trim() : text;
}

function row(name: string, property: EnvPropertySchema, required: boolean): string {
  const cells = [
    name,
    types(property).map(code).join(" "),
    required ? "✅" : "",
    possibleValues(property),
    property.default === undefined ? "" : code(JSON.stringify(property.default)),
    description(property),
  ];
  return `| ${cells.map(cell).join(" | ")} |`;
}

/** The Markdown document (ends with a newline). Required properties first, each group in schema order. */
export function renderConfigDoc(schema: EnvSchema): string {
  const required = new Set(schema.required);
  const names = Object.keys(schema.properties);
  const ordered = [...names.filter((n) => required.has(n)), ...names.filter((n) => !required.has(n))];
  const lines = [
    DOC_TITLE,
    "",
    DOC_SENTENCE,
    "",
    `### Type: ${code(schema.type)}`,
    "",
    `| ${DOC_COLUMNS.join(" | ")} |`,
    `| ${DOC_COLUMNS.map((c) => "-".repeat(c.length)).join(" | ")} |`,
    ...ordered.map((name) => row(name, schema.properties[name] ?? {}, required.has(name))),
  ];
  return `${lines.join("\n")}\n`;
}
