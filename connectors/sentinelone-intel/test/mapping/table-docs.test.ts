/** The README's pattern table is the pattern table's rows, rendered: a row added or changed shows here first. */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { PATTERN_TABLE } from "../../src/mapping/pattern-table.js";
import { patternTableMarkdown } from "./table-docs.js";

const README = fileURLToPath(new URL("../../README.md", import.meta.url));

describe("README pattern table", () => {
  it("is rendered from PATTERN_TABLE", () => {
    const expected = patternTableMarkdown(PATTERN_TABLE);
    const readme = readFileSync(README, "utf8");
    // On failure: paste the expected table under '### Pattern table' in the connector's README.
    expect(readme.includes(expected), `README.md's pattern table is stale; it should read:\n${expected}`).toBe(true);
  });

  it("has one line per row, naming its comparison, type and check", () => {
    const lines = patternTableMarkdown(PATTERN_TABLE).split("\n");
    expect(lines).toHaveLength(PATTERN_TABLE.length + 2);
    PATTERN_TABLE.forEach((row, i) => {
      const line = lines[i + 2] ?? "";
      expect(line).toContain(`\`${row.objectType}:${row.key.text}\``);
      expect(line).toContain(`\`${row.iocType}\``);
      expect(line).toContain(row.check);
    });
  });
});
