/**
 * The IPv4 indicators the index, state-reset and reconciliation fault cases publish: indicator `i` holds one IOC,
 * `ipValue(i)`, and keeps its id across versions (a fixed creation time), so later versions update it.
 */
import { makeIndicator } from "@octi/connector-sdk-testing";

export const DAY_MS = 86_400_000;

export function ipValue(i: number): string {
  return `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
}

export function ipIndicator(
  i: number,
  seed: string,
  version: { score?: number; validUntil?: number; revoked?: boolean } = {},
) {
  const now = new Date(Date.UTC(2026, 0, 1));
  return makeIndicator({
    pattern: `[ipv4-addr:value = '${ipValue(i)}']`,
    seed: `${seed}:${i}`,
    now,
    validFrom: now,
    score: version.score ?? 50,
    validUntil: new Date(version.validUntil ?? Date.now() + 10 * DAY_MS),
    ...(version.revoked ? { revoked: true } : {}),
  });
}
