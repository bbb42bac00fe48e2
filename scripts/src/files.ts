/** File-system helpers shared by the scripts (deterministic listing, stable JSON). */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative, sep } from "node:path";

/** Every file under `dir`, as `/`-separated paths relative to it, sorted. Skips `node_modules` and `dist`. */
export function listFiles(
  dir: string,
  skip: ReadonlySet<string> = new Set(["node_modules", "dist", ".turbo"]),
): string[] {
  const out: string[] = [];
  const walk = (current: string) => {
    for (const entry of readdirSync(current, { withFileTypes: true })) {
      if (skip.has(entry.name)) continue;
      const full = join(current, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile()) out.push(relative(dir, full).split(sep).join("/"));
    }
  };
  walk(dir);
  return out.sort();
}

/** JSON with 2-space indentation and a trailing newline (object key order is the caller's). */
export function toJsonFile(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** Parses a JSON file; the error names the file. */
export function readJsonFile(path: string): unknown {
  const text = readFileSync(path, "utf8");
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new Error(`${path}: invalid JSON (${(error as Error).message})`);
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
