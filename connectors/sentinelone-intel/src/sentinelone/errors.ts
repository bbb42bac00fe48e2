/**
 * SentinelOne's failures are the SDK's `HttpTargetError` (kinds in connector-sdk/src/http/target-error.ts); what
 * is SentinelOne's own is how a 400 names the refused items of a create: details `data: <i>: …`.
 */
import type { HttpErrorEntry } from "@octi/connector-sdk";

const ITEM_INDEX = /^\s*data\s*:\s*(\d+)\s*:/;

/** Item indices named by `data: <i>: …` details (marshmallow-style paths), sorted and unique. */
export function itemIndicesOf(errors: readonly HttpErrorEntry[]): number[] {
  const found = new Set<number>();
  for (const entry of errors) {
    const match = typeof entry.detail === "string" ? ITEM_INDEX.exec(entry.detail) : null;
    if (match?.[1] !== undefined) found.add(Number(match[1]));
  }
  return [...found].sort((a, b) => a - b);
}
