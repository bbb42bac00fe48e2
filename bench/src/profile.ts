/**
 * Reads a V8 `.cpuprofile` (what `node --cpu-prof` writes) and says where the time went: self time per area
 * (SDK folder, connector folder, npm package, Node internals, GC, native builtins) and the top functions.
 */
import { readFileSync } from "node:fs";
import { round } from "./measure.js";

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
  readonly columnNumber: number;
}

interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
  readonly children?: readonly number[];
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly startTime: number;
  readonly endTime: number;
  readonly samples?: readonly number[];
  readonly timeDeltas?: readonly number[];
}

export interface ProfileShare {
  readonly name: string;
  readonly ms: number;
  /** Share of the sampled time, percent. */
  readonly percent: number;
}

export interface ProfileSummary {
  readonly file: string;
  /** Profile duration (first to last sample), ms. */
  readonly durationMs: number;
  /** Sampled time that was not idle, ms. */
  readonly busyMs: number;
  readonly idleMs: number;
  readonly areas: readonly ProfileShare[];
  readonly functions: readonly ProfileShare[];
  /** Inclusive time of a few subtrees worth knowing (JSON.parse, the handler…), ms. */
  readonly inclusive: readonly ProfileShare[];
}

const SPECIAL: Readonly<Record<string, string>> = {
  "(garbage collector)": "GC",
  "(program)": "(program: V8/native, unattributed)",
  "(idle)": "(idle)",
  "(root)": "(root)",
};

/** The area a frame's own time is charged to. */
export function areaOf(frame: CallFrame): string {
  const special = SPECIAL[frame.functionName];
  if (special && frame.url === "") return special;
  const url = frame.url;
  if (url === "") return `native: ${frame.functionName || "(anonymous)"}`;
  if (url.startsWith("node:")) {
    const module = url.slice(5).replace(/^internal\//, "internal/");
    const parts = module.split("/");
    const head = parts[0] === "internal" ? parts.slice(0, Math.min(parts.length, 3)).join("/") : parts[0]!;
    return `node:${head.replace(/\.js$/, "")}`;
  }
  const modules = url.lastIndexOf("/node_modules/");
  if (modules >= 0) {
    const rest = url.slice(modules + "/node_modules/".length).split("/");
    const pkg = rest[0]?.startsWith("@") ? `${rest[0]}/${rest[1]}` : rest[0];
    return `npm: ${pkg}`;
  }
  const sdk = /\/connector-sdk\/(?:dist|src)\/([^/]+)(\/)?/.exec(url);
  if (sdk) return sdk[2] ? `sdk: ${sdk[1]}` : `sdk: ${sdk[1]!.replace(/\.js$/, "")}`;
  const s1 = /\/connectors\/sentinelone-intel\/(?:dist|src)\/([^/]+)(\/)?/.exec(url);
  if (s1) return s1[2] ? `connector: ${s1[1]}` : `connector: ${s1[1]!.replace(/\.js$/, "")}`;
  return url.replace(/^file:\/\//, "");
}

function frameLabel(frame: CallFrame): string {
  const file = frame.url.replace(/^file:\/\//, "").replace(/^.*\/(node_modules\/|connector-sdk\/|connectors\/)/, "$1");
  return `${frame.functionName || "(anonymous)"} ${file ? `${file}:${frame.lineNumber + 1}` : "(native)"}`;
}

/**
 * Inclusive subtrees reported when present: a frame matches on its function name and/or a fragment of its URL.
 * (Builtins such as JSON.parse are inlined into their JS caller's self time, so they are not listed here.)
 */
const INCLUSIVE: readonly { name: string; fn?: string; url?: string }[] = [
  { name: "SSE message intake (SDK live stream onEvent)", fn: "onEvent", url: "stream/live-stream" },
  { name: "SDK runner handleOne (envelope JSON.parse + handler)", fn: "handleOne", url: "runtime/runner" },
  { name: "envelope parsing (SDK parseEnvelope, JSON.parse)", fn: "parseEnvelope" },
  { name: "connector handler (classify + build + enqueue)", fn: "handle", url: "sentinelone-intel" },
  { name: "STIX pattern classification", fn: "classifyIndicator" },
  { name: "target client send() (SDK JsonHttpClient: axios, body, answer)", fn: "send", url: "http/json-client" },
  { name: "axios (all frames)", url: "/node_modules/axios/" },
  { name: "prom-client (all frames)", url: "/node_modules/prom-client/" },
  { name: "winston (all frames)", url: "/node_modules/winston" },
];

export function summarizeProfile(file: string, top = 20): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, "utf8")) as CpuProfile;
  const byId = new Map<number, ProfileNode>();
  for (const node of profile.nodes) byId.set(node.id, node);
  const self = new Map<number, number>(); // node id → µs
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  // timeDeltas[i] is the time before sample i: charge the interval that follows a sample to it.
  for (let i = 0; i < samples.length; i++) {
    const dt = deltas[i + 1] ?? 0;
    const id = samples[i]!;
    self.set(id, (self.get(id) ?? 0) + Math.max(0, dt));
  }
  let total = 0;
  let idle = 0;
  const areas = new Map<string, number>();
  const functions = new Map<string, number>();
  for (const [id, us] of self) {
    const frame = byId.get(id)?.callFrame;
    if (!frame) continue;
    total += us;
    const area = areaOf(frame);
    if (area === "(idle)") {
      idle += us;
      continue;
    }
    areas.set(area, (areas.get(area) ?? 0) + us);
    const label = frame.url === "" ? area : frameLabel(frame);
    functions.set(label, (functions.get(label) ?? 0) + us);
  }
  const busy = total - idle;
  const share = (entries: Iterable<[string, number]>, n: number): ProfileShare[] =>
    [...entries]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([name, us]) => ({ name, ms: round(us / 1000, 1), percent: round((100 * us) / Math.max(1, busy), 1) }));

  // Inclusive time: a sample counts once for a subtree when any frame on its stack matches.
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const inclusive = new Map<string, number>();
  for (const [id, us] of self) {
    const matched = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const frame = byId.get(cur)?.callFrame;
      if (!frame) break;
      for (const rule of INCLUSIVE) {
        if (rule.fn !== undefined && frame.functionName !== rule.fn) continue;
        if (rule.url !== undefined && !frame.url.includes(rule.url)) continue;
        matched.add(rule.name);
      }
    }
    for (const name of matched) inclusive.set(name, (inclusive.get(name) ?? 0) + us);
  }
  return {
    file,
    durationMs: round((profile.endTime - profile.startTime) / 1000, 1),
    busyMs: round(busy / 1000, 1),
    idleMs: round(idle / 1000, 1),
    areas: share(areas, top),
    functions: share(functions, top),
    inclusive: share(inclusive, INCLUSIVE.length),
  };
}
