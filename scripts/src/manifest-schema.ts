/** Validation of `__metadata__/connector_manifest.json` against `scripts/src/schemas/connector-manifest.schema.json`. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv2020, type ErrorObject, type ValidateFunction } from "ajv/dist/2020.js";
import { SCRIPTS_DIR } from "./cli.js";

export const MANIFEST_SCHEMA_PATH = join(SCRIPTS_DIR, "src", "schemas", "connector-manifest.schema.json");

/** `YYYY-MM-DD` naming a real calendar day. */
export function isDate(value: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** An absolute URL with a scheme (`https://…`, `mailto:…`). */
export function isUri(value: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\S+$/i.test(value) && URL.canParse(value);
}

let cached: ValidateFunction | undefined;

export function manifestValidator(): ValidateFunction {
  if (!cached) {
    const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
    ajv.addFormat("date", isDate);
    ajv.addFormat("uri", isUri);
    cached = ajv.compile(JSON.parse(readFileSync(MANIFEST_SCHEMA_PATH, "utf8")) as object);
  }
  return cached;
}

function describe(error: ErrorObject): string {
  const where = error.instancePath === "" ? "manifest" : error.instancePath.slice(1).replace(/\//g, ".");
  if (error.keyword === "enum") {
    const allowed = (error.params as { allowedValues: unknown[] }).allowedValues;
    return `${where}: must be one of ${allowed.map((v) => JSON.stringify(v)).join(", ")}`;
  }
  if (error.keyword === "additionalProperties") {
    return `${where}: unknown field '${(error.params as { additionalProperty: string }).additionalProperty}'`;
  }
  if (error.keyword === "required") {
    return `${where}: missing field '${(error.params as { missingProperty: string }).missingProperty}'`;
  }
  return `${where}: ${error.message ?? error.keyword}`;
}

/** Problems with a manifest, one readable line each; empty when it is valid. */
export function validateManifest(manifest: unknown): string[] {
  const validate = manifestValidator();
  if (validate(manifest)) return [];
  // anyOf/if branches repeat their sub-errors; keep each line once.
  const lines = (validate.errors ?? []).filter((e) => e.keyword !== "if").map(describe);
  return [...new Set(lines)];
}
