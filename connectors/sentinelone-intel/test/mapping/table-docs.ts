/** The README's pattern table, rendered from a table's rows (Markdown, columns padded as the formatter pads them). */
import type { PatternRow } from "@octi/connector-sdk";

export function patternTableMarkdown(rows: readonly PatternRow[]): string {
  const lines = [
    ["STIX comparison", "SentinelOne type", "Value check"],
    ...rows.map((row) => [
      `\`${row.objectType}:${row.key.text}\`${row.key.also ? ` (${row.key.also})` : ""}`,
      `\`${row.iocType}\``,
      row.check,
    ]),
  ];
  const widths = lines[0]?.map((_, column) => Math.max(...lines.map((cells) => cells[column]?.length ?? 0))) ?? [];
  const render = (cells: readonly string[]) => `| ${cells.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join(" | ")} |`;
  const [header = [], ...body] = lines;
  return [render(header), render(widths.map((w) => "-".repeat(w))), ...body.map(render)].join("\n");
}
