/**
 * Vitest reporter for `npm run test:faults`: gathers the rows the scenarios attach to `task.meta.faults` and
 * prints one table for the whole run (a failed test without a row gets one saying so). With `FAULTS_TABLE_FILE`
 * set, the table is also written there as Markdown.
 */
import { writeFileSync } from "node:fs";
import type { Reporter, TestCase } from "vitest/node";
import { type FaultRow, formatTable } from "./table.js";

export default class FaultTableReporter implements Reporter {
  private readonly rows: FaultRow[] = [];
  private readonly failed: string[] = [];

  onTestCaseResult(testCase: TestCase): void {
    const meta = testCase.meta() as { faults?: FaultRow[] };
    this.rows.push(...(meta.faults ?? []));
    if (testCase.result().state === "failed") this.failed.push(testCase.fullName);
  }

  onTestRunEnd(): void {
    if (this.rows.length === 0 && this.failed.length === 0) return;
    const failures = this.failed.map((name) => `FAILED: ${name}`);
    const text = [formatTable(this.rows, 220), ...failures].join("\n");
    process.stdout.write(`\nFault-injection scenarios\n\n${text}\n\n`);
    const file = process.env.FAULTS_TABLE_FILE;
    if (file) writeFileSync(file, `${text}\n`);
  }
}
