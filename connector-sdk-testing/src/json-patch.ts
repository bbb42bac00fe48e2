/**
 * RFC 6902 JSON Patch, the little the simulator needs: `comparePatch` produces the `context.patch` /
 * `reverse_patch` of update events (objects are compared key by key, like OpenCTI's fast-json-patch `compare`;
 * arrays are replaced whole), and `applyPatch` turns an update's data back into the previous version, which
 * the live stream needs to tell whether the object matched the stream's filter before the update.
 */

export type JsonPatchOperation =
  | { readonly op: "add" | "replace" | "test"; readonly path: string; readonly value: unknown }
  | { readonly op: "remove"; readonly path: string }
  | { readonly op: "move" | "copy"; readonly path: string; readonly from: string };

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

export function escapePathToken(token: string): string {
  return token.replace(/~/g, "~0").replace(/\//g, "~1");
}

function parsePath(path: string): string[] {
  if (path === "") return [];
  if (!path.startsWith("/")) throw new Error(`invalid JSON pointer ${JSON.stringify(path)}`);
  return path
    .slice(1)
    .split("/")
    .map((t) => t.replace(/~1/g, "/").replace(/~0/g, "~"));
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((item, i) => deepEqual(item, b[i]));
  }
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = Object.keys(a);
    if (keys.length !== Object.keys(b).length) return false;
    return keys.every((k) => Object.hasOwn(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}

/** The operations that turn `previous` into `next`. */
export function comparePatch(previous: unknown, next: unknown): JsonPatchOperation[] {
  const ops: JsonPatchOperation[] = [];
  diff(previous, next, "", ops);
  return ops;
}

function diff(previous: unknown, next: unknown, path: string, ops: JsonPatchOperation[]): void {
  if (deepEqual(previous, next)) return;
  if (isPlainObject(previous) && isPlainObject(next)) {
    for (const key of Object.keys(previous)) {
      const child = `${path}/${escapePathToken(key)}`;
      if (!Object.hasOwn(next, key) || next[key] === undefined) {
        if (previous[key] !== undefined) ops.push({ op: "remove", path: child });
      } else diff(previous[key], next[key], child, ops);
    }
    for (const key of Object.keys(next)) {
      if ((!Object.hasOwn(previous, key) || previous[key] === undefined) && next[key] !== undefined) {
        ops.push({ op: "add", path: `${path}/${escapePathToken(key)}`, value: structuredClone(next[key]) });
      }
    }
    return;
  }
  ops.push({ op: "replace", path, value: structuredClone(next) });
}

function getAt(document: unknown, tokens: readonly string[]): unknown {
  let node: unknown = document;
  for (const token of tokens) {
    if (Array.isArray(node)) node = node[Number(token)];
    else if (isPlainObject(node)) node = node[token];
    else return undefined;
  }
  return node;
}

/** Applies `ops` to a deep copy of `document` and returns the copy; throws on a path that does not exist. */
export function applyPatch<T>(document: T, ops: readonly unknown[]): T {
  let root: unknown = structuredClone(document);
  for (const raw of ops) {
    if (!isPlainObject(raw) || typeof raw.op !== "string" || typeof raw.path !== "string") {
      throw new Error(`invalid JSON patch operation ${JSON.stringify(raw)}`);
    }
    const tokens = parsePath(raw.path);
    let value: unknown = raw.value;
    if (raw.op === "test") {
      if (!deepEqual(getAt(root, tokens), value)) throw new Error(`JSON patch test failed at ${raw.path}`);
      continue;
    }
    if (raw.op === "move" || raw.op === "copy") {
      const from = parsePath(String(raw.from));
      value = structuredClone(getAt(root, from));
      if (raw.op === "move") root = write(root, from, "remove", undefined);
      root = write(root, tokens, "add", value);
      continue;
    }
    if (raw.op !== "add" && raw.op !== "remove" && raw.op !== "replace") {
      throw new Error(`unsupported JSON patch op ${JSON.stringify(raw.op)}`);
    }
    root = write(root, tokens, raw.op, structuredClone(value));
  }
  return root as T;
}

function write(root: unknown, tokens: readonly string[], op: "add" | "remove" | "replace", value: unknown): unknown {
  if (tokens.length === 0) return op === "remove" ? undefined : value;
  const parent = getAt(root, tokens.slice(0, -1));
  const last = tokens[tokens.length - 1]!;
  if (Array.isArray(parent)) {
    const index = last === "-" ? parent.length : Number(last);
    if (!Number.isInteger(index) || index < 0 || index > parent.length) throw new Error(`bad array index ${last}`);
    if (op === "add") parent.splice(index, 0, value);
    else if (op === "remove") parent.splice(index, 1);
    else parent[index] = value;
  } else if (isPlainObject(parent)) {
    if (op !== "add" && !Object.hasOwn(parent, last)) throw new Error(`no value at /${tokens.join("/")}`);
    if (op === "remove") delete parent[last];
    else parent[last] = value;
  } else {
    throw new Error(`no container at /${tokens.slice(0, -1).join("/")}`);
  }
  return root;
}
