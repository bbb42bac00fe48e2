import { accessSync, constants, statSync } from "node:fs";
import type { ConfigPropertySchema } from "./types.js";

/**
 * Boolean strings. pycti's `get_config_variable` knows exactly `yes|true|True` and `no|false|False`; the
 * connectors-sdk (pydantic, lax mode) also accepts, case-insensitively, `1/0`, `on/off`, `t/f`, `y/n`.
 * We accept the union, case-insensitively.
 */
const TRUE_STRINGS: ReadonlySet<string> = new Set(["yes", "true", "on", "1", "t", "y"]);
const FALSE_STRINGS: ReadonlySet<string> = new Set(["no", "false", "off", "0", "f", "n"]);

/** `true`/`false` for a boolean string (see above), `undefined` for anything else. */
export function parseBooleanString(text: string): boolean | undefined {
  const t = text.trim().toLowerCase();
  if (TRUE_STRINGS.has(t)) return true;
  if (FALSE_STRINGS.has(t)) return false;
  return undefined;
}

export type Coerced = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly message: string };

const INTEGER = /^[+-]?\d+$/;
const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** `https://user:pass@host/x?q` → `https://***@host/x?q`: what a problem message may echo of a value. */
function maskUserinfo(text: string): string {
  return text.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@\s]*@/i, "$1***@");
}

/** ` , got "ten"` for ordinary values, nothing for secrets. Long values are cut. */
export function got(value: unknown, prop: ConfigPropertySchema): string {
  if (prop.writeOnly || prop["x-header-list"]) return "";
  if (typeof value === "number" || typeof value === "boolean") return `, got ${String(value)}`;
  const text = typeof value === "string" ? value : (JSON.stringify(value) ?? String(value));
  const masked = maskUserinfo(text);
  return `, got ${JSON.stringify(masked.length > 80 ? `${masked.slice(0, 77)}...` : masked)}`;
}

function kindOf(value: unknown): string {
  return Array.isArray(value) ? "a list" : "a mapping";
}

/** An integer (safe range, integer strings only) or a finite number (decimal strings). */
function coerceNumber(raw: unknown, prop: ConfigPropertySchema, integer: boolean): Coerced {
  const invalid: Coerced = { ok: false, message: `must be ${integer ? "an integer" : "a number"}${got(raw, prop)}` };
  const valid = integer ? Number.isSafeInteger : Number.isFinite;
  if (typeof raw === "number") return valid(raw) ? { ok: true, value: raw } : invalid;
  const text = scalarText(raw)?.trim();
  if (text === undefined || !(integer ? INTEGER : NUMBER).test(text)) return invalid;
  const value = Number(text);
  if (!valid(value))
    return { ok: false, message: `is too large ${integer ? "an integer" : "a number"}${got(raw, prop)}` };
  return { ok: true, value };
}

function scalarText(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") return String(value);
  return undefined;
}

/**
 * Converts a raw value (an env/.env string, or a native YAML value: string, boolean, list, mapping) to the
 * property's type. Strings are the usual input; the rules are the same for every source:
 * - boolean: the boolean strings above; with `x-or-path`, any other string is a file path that must be readable;
 * - integer: integer strings only (`"42"`, `"+7"`, `"-1"`), within the safe integer range;
 * - number: decimal strings (`"2.5"`, `"1e3"`);
 * - array: a list, or a comma-separated string, items trimmed and empty ones dropped; integer items as above;
 * - string: as given (YAML booleans/numbers are turned back into text); with `x-file`, a readable file's path.
 * Messages read after the variable name (`must be an integer, got "ten"`) and never echo a secret.
 */
export function coerceValue(raw: unknown, prop: ConfigPropertySchema): Coerced {
  switch (prop.type) {
    case "boolean": {
      if (typeof raw === "boolean") return { ok: true, value: raw };
      const text = scalarText(raw);
      const parsed = text === undefined ? undefined : parseBooleanString(text);
      if (parsed !== undefined) return { ok: true, value: parsed };
      if (prop["x-or-path"] && typeof raw === "string") {
        const unreadable = unreadableFile(raw);
        return unreadable === undefined
          ? { ok: true, value: raw }
          : {
              ok: false,
              message: `must be true, false, or the path of a readable CA bundle file (PEM)${got(raw, prop)}: ${unreadable}`,
            };
      }
      return { ok: false, message: `must be a boolean (true/false, yes/no, on/off, 1/0)${got(raw, prop)}` };
    }
    case "integer":
    case "number":
      return coerceNumber(raw, prop, prop.type === "integer");
    case "array": {
      let items: unknown[];
      if (Array.isArray(raw)) items = raw;
      else {
        const text = scalarText(raw);
        if (text === undefined) return { ok: false, message: `must be a comma-separated list, not ${kindOf(raw)}` };
        items = text.split(",");
      }
      const out: (string | number)[] = [];
      for (const item of items) {
        if (item === null || item === undefined) continue;
        const text = scalarText(item)?.trim();
        if (text === undefined)
          return { ok: false, message: `must be a list of single values, not a list of ${kindOf(item).slice(2)}s` };
        if (text === "") continue;
        if (prop.items?.type === "integer") {
          const n = Number(text);
          if (!INTEGER.test(text) || !Number.isSafeInteger(n)) {
            return { ok: false, message: `must be a comma-separated list of integers${got(raw, prop)}` };
          }
          out.push(n);
        } else out.push(text);
      }
      return { ok: true, value: out };
    }
    default: {
      const text = scalarText(raw);
      if (text === undefined) return { ok: false, message: `must be a single value, not ${kindOf(raw)}` };
      if (prop["x-file"] && text.trim() !== "") {
        const unreadable = unreadableFile(text.trim());
        if (unreadable !== undefined) {
          return {
            ok: false,
            message: `must be the path of a file the connector can read${got(raw, prop)}: ${unreadable}`,
          };
        }
      }
      return { ok: true, value: text };
    }
  }
}

/** Why `path` cannot be read as a file (checked at start-up, so a bad path is a config problem, not a crash). */
function unreadableFile(path: string): string | undefined {
  try {
    if (!statSync(path).isFile()) return "it is not a file";
    accessSync(path, constants.R_OK);
    return undefined;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return "no such file";
    if (code === "EACCES" || code === "EPERM") return "permission denied for the connector's user";
    return code ?? "unreadable";
  }
}
