/**
 * `node scripts/dist/cycles.js` (a step of `npm run check`): no import cycle among the `.ts` files of the SDK,
 * the connectors, the bench and the scripts, and no import across a forbidden layer (config is a leaf: it
 * imports nothing from runtime). Only relative imports are followed (a package import cannot close a cycle
 * inside a folder tree); type-only imports count too, since they tie the files' designs together all the same.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, posix } from "node:path";
import { isMain, type Output, parseScriptArgs, REPO_ROOT, runCli } from "./cli.js";
import { listFiles } from "./files.js";

/** Source trees checked, relative to the repository root (`*` stands for every connector). */
export const CHECKED_TREES: readonly string[] = ["connector-sdk/src", "connectors/*/src", "bench/src", "scripts/src"];

/** Imports that must not exist: a file under `from` importing one under `to`. */
export const LAYER_RULES: readonly { readonly from: string; readonly to: string; readonly why: string }[] = [
  { from: "connector-sdk/src/config/", to: "connector-sdk/src/runtime/", why: "config is a leaf" },
];

const IMPORT = [
  /^\s*(?:import|export)\b[^;]*?\bfrom\s*["']([^"']+)["']/gm,
  /^\s*import\s*["']([^"']+)["']/gm,
  /\bimport\(\s*["']([^"']+)["']\s*\)/g,
];

/** The relative specifiers a file imports, in order of appearance per form. */
export function importSpecifiers(text: string): string[] {
  const out: string[] = [];
  for (const pattern of IMPORT) {
    for (const match of text.matchAll(pattern)) {
      const spec = match[1];
      if (spec?.startsWith(".")) out.push(spec);
    }
  }
  return out;
}

/** The `.ts` file a relative specifier names (`./x.js` → `x.ts`, `./dir` → `dir/index.ts`), if it exists. */
function resolve(files: ReadonlySet<string>, from: string, spec: string): string | undefined {
  const base = posix.normalize(posix.join(posix.dirname(from), spec));
  const stem = base.replace(/\.(?:js|ts)$/, "");
  return [`${stem}.ts`, `${base}/index.ts`].find((candidate) => files.has(candidate));
}

/** The import graph of the given files (paths relative to `root`). */
export function importGraph(root: string, paths: readonly string[]): Map<string, string[]> {
  const files = new Set(paths);
  const graph = new Map<string, string[]>();
  for (const path of paths) {
    const targets = importSpecifiers(readFileSync(join(root, path), "utf8"))
      .map((spec) => resolve(files, path, spec))
      .filter((target): target is string => target !== undefined);
    graph.set(path, [...new Set(targets)]);
  }
  return graph;
}

/** Every cycle's files (strongly connected components of more than one file, or a file importing itself). */
export function findCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (node: string) => {
    index.set(node, index.size);
    low.set(node, index.get(node) ?? 0);
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node) ?? 0, low.get(next) ?? 0));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node) ?? 0, index.get(next) ?? 0));
      }
    }
    if (low.get(node) !== index.get(node)) return;
    const component: string[] = [];
    let member: string | undefined;
    do {
      member = stack.pop();
      if (member === undefined) break;
      onStack.delete(member);
      component.push(member);
    } while (member !== node);
    if (component.length > 1 || graph.get(node)?.includes(node)) cycles.push(component.sort());
  };
  for (const node of [...graph.keys()].sort()) if (!index.has(node)) visit(node);
  return cycles.sort((a, b) => (a[0] ?? "").localeCompare(b[0] ?? ""));
}

/** The imports that break a layer rule, as `from → to (why)`. */
export function layerViolations(graph: ReadonlyMap<string, readonly string[]>): string[] {
  const out: string[] = [];
  for (const [from, targets] of graph) {
    for (const to of targets) {
      const rule = LAYER_RULES.find((r) => from.startsWith(r.from) && to.startsWith(r.to));
      if (rule) out.push(`${from} → ${to} (${rule.why})`);
    }
  }
  return out.sort();
}

/** The `.ts` files of the checked trees, relative to `root`. */
export function checkedFiles(root: string): string[] {
  const trees = CHECKED_TREES.flatMap((tree) => {
    const [parent = "", rest = ""] = tree.split("/*/");
    if (!tree.includes("/*/")) return [tree];
    const dir = join(root, parent);
    if (!existsSync(dir)) return [];
    return readdirSync(dir, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => `${parent}/${entry.name}/${rest}`);
  });
  return trees
    .filter((tree) => existsSync(join(root, tree)))
    .flatMap((tree) => listFiles(join(root, tree)).map((file) => `${tree}/${file}`))
    .filter((path) => path.endsWith(".ts") && !path.endsWith(".d.ts"));
}

const USAGE = `Usage: node scripts/dist/cycles.js [--root <repoRoot>]
  Fails when ${CHECKED_TREES.join(", ")} hold an import cycle or an import across a layer rule.`;

export async function main(argv: string[], output: Output): Promise<number> {
  const values = parseScriptArgs<{ root?: string }>(argv, { root: { type: "string" } }, USAGE, output);
  if (!values) return 0;
  const root = values.root ?? REPO_ROOT;
  const files = checkedFiles(root);
  const graph = importGraph(root, files);
  const cycles = findCycles(graph);
  const violations = layerViolations(graph);
  for (const cycle of cycles) output.err(`import cycle: ${cycle.join(" ↔ ")}`);
  for (const violation of violations) output.err(`layer rule broken: ${violation}`);
  if (cycles.length > 0 || violations.length > 0) return 1;
  output.out(`No import cycle and no layer violation in ${files.length} files.`);
  return 0;
}

if (isMain(import.meta.url)) await runCli(main);
