/** A table's rows by object type, for the classifier; built once per table, refusing a table that cannot work. */
import type { PathSteps, PatternRow } from "./rows.js";

export class RowIndex<T extends string> {
  private readonly byType = new Map<string, PatternRow<T>[]>();
  /** What the table maps, for skip details (`file:hashes.'SHA-256', url:value, …`). */
  readonly mapped: string;

  constructor(rows: readonly PatternRow<T>[]) {
    const comparisons = new Set<string>();
    for (const row of rows) {
      const comparison = `${row.objectType}:${row.key.text}`;
      if (comparisons.has(comparison)) throw new Error(`pattern table: two rows take '${comparison}'`);
      if (row.objectType !== row.objectType.toLowerCase()) {
        throw new Error(
          `pattern table: the row for '${comparison}' has an object type in upper case: write it lower case`,
        );
      }
      comparisons.add(comparison);
      const same = this.byType.get(row.objectType);
      if (same) same.push(row);
      else this.byType.set(row.objectType, [row]);
    }
    this.mapped = [...comparisons].join(", ");
  }

  /** The first row taking `objectType:steps`, if any. */
  find(objectType: string, steps: PathSteps): PatternRow<T> | undefined {
    const rows = this.byType.get(objectType);
    if (rows === undefined) return undefined;
    for (const row of rows) if (row.key.matches(steps)) return row;
    return undefined;
  }

  /** True when some row uses this object type (to tell "unsupported property" from "unsupported object"). */
  hasObjectType(objectType: string): boolean {
    return this.byType.has(objectType);
  }
}
