import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildSchema, type GraphQLSchema } from "graphql";

/**
 * OpenCTI 6.9.17's schema (`connector-sdk-testing/schema/opencti.graphql`), built once per process.
 * Building the 590 KB SDL takes a few hundred milliseconds, so every simulator in the process shares one copy
 * (cached on `globalThis`, so a `src/` and a `dist/` copy of this module share it too).
 */

const SCHEMA_RELATIVE = "../schema/opencti.graphql";
const CACHE_KEY = Symbol.for("@octi/connector-sdk-testing/opencti-schema");

/**
 * Where the schema file is, seen from a module of `src/` or `dist/` (both are one level below the package
 * root). Falls back to walking up to the first `schema/opencti.graphql`.
 */
export function resolveSchemaPath(moduleUrl: string = import.meta.url): string {
  const direct = fileURLToPath(new URL(SCHEMA_RELATIVE, moduleUrl));
  if (existsSync(direct)) return direct;
  let dir = dirname(fileURLToPath(moduleUrl));
  for (;;) {
    const candidate = join(dir, "schema", "opencti.graphql");
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new Error(`OpenCTI schema not found (looked for ${direct} and in every parent directory's schema/)`);
}

type SchemaCache = Map<string, GraphQLSchema>;

function cache(): SchemaCache {
  const holder = globalThis as unknown as Record<symbol, SchemaCache | undefined>;
  let map = holder[CACHE_KEY];
  if (!map) {
    map = new Map();
    holder[CACHE_KEY] = map;
  }
  return map;
}

/** The built schema (built on first use, then cached for the process). */
export function openCtiSchema(path: string = resolveSchemaPath()): GraphQLSchema {
  const map = cache();
  let schema = map.get(path);
  if (!schema) {
    schema = buildSchema(readFileSync(path, "utf8"));
    map.set(path, schema);
  }
  return schema;
}
