/**
 * `npm run check` (CI): every repository check in one run, each reported even when an earlier one fails —
 * generated metadata up to date (metadata --check), the connector lint rules, and the catalog up to date
 * (manifest --check), and no import cycle or layer violation (cycles.ts). Extra arguments (`--format github`) go to
 * the lint.
 */
import { isMain, type Output, runCli } from "./cli.js";
import { main as cyclesMain } from "./cycles.js";
import { main as lintMain } from "./lint-connectors.js";
import { main as catalogMain } from "./manifest.js";
import { main as metadataMain } from "./metadata.js";

export interface CheckStep {
  readonly title: string;
  run(output: Output): Promise<number>;
}

export function checkSteps(argv: readonly string[]): CheckStep[] {
  const root = argv.includes("--root") ? ["--root", argv[argv.indexOf("--root") + 1] ?? ""] : [];
  return [
    { title: "generated metadata (npm run metadata -- --check)", run: (o) => metadataMain(["--check", ...root], o) },
    { title: "connector lint (npm run lint:connectors)", run: (o) => lintMain([...argv], o) },
    { title: "catalog (npm run manifest -- --check)", run: (o) => catalogMain(["--check", ...root], o) },
    { title: "import cycles and layers (node scripts/dist/cycles.js)", run: (o) => cyclesMain([...root], o) },
  ];
}

export async function runChecks(steps: readonly CheckStep[], output: Output): Promise<number> {
  const failed: string[] = [];
  for (const step of steps) {
    output.out(`== ${step.title}`);
    let code: number;
    try {
      code = await step.run(output);
    } catch (error) {
      output.err((error as Error).message);
      code = 1;
    }
    if (code !== 0) failed.push(step.title);
  }
  output.out(failed.length === 0 ? "All checks passed." : `Failed: ${failed.join("; ")}`);
  return failed.length === 0 ? 0 : 1;
}

export async function main(argv: string[], output: Output): Promise<number> {
  return runChecks(checkSteps(argv), output);
}

if (isMain(import.meta.url)) await runCli(main);
