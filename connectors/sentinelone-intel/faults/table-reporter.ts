/**
 * Prints the fault suite's summary table once every file has run: the rows the tests attached to
 * `task.meta.faults` (see test/faults/table.ts), failed tests marked, and a row for a test that failed before it
 * could measure anything. `FAULTS_TABLE_FILE=<path>` also writes the table there.
 */
import { writeFileSync } from "node:fs";
import type { Reporter, TestModule } from "vitest/node";
import { type FaultRow, formatTable } from "../test/faults/table.js";

export default class FaultsTableReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const rows: FaultRow[] = [];
    for (const module of testModules) {
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === "skipped" || state === "pending") continue;
        const failed = state === "failed";
        const own = (test.meta() as { faults?: FaultRow[] }).faults ?? [];
        if (own.length === 0 && failed) {
          rows.push({
            scenario: `FAILED ${test.name}`,
            events: 0,
            lost: 0,
            duplicates: 0,
            unexpected: 0,
            crashes: 0,
            timeMs: test.diagnostic()?.duration ?? 0,
            notes: "failed before measuring (see the error above)",
          });
        }
        for (const row of own) rows.push(failed ? { ...row, scenario: `FAILED ${row.scenario}` } : row);
      }
    }
    if (rows.length === 0) return;
    const table = formatTable(rows, 220);
    process.stdout.write(`\nFault-injection summary (FAULTS_FULL=${process.env.FAULTS_FULL ?? "1"})\n${table}\n\n`);
    // FAULTS_TABLE_FILE=path also writes the table as Markdown (for notes and docs).
    if (process.env.FAULTS_TABLE_FILE) writeFileSync(process.env.FAULTS_TABLE_FILE, `${table}\n`);
  }
}
