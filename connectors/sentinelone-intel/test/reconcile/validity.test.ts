/** The fingerprint sees a `validUntil` SentinelOne defaulted or clamped (reference §2.3) alike on both sides. */
import { describe, expect, it } from "vitest";
import { fingerprintIoc } from "../../src/sentinelone/fingerprint.js";
import type { IocPayload, IocRecord } from "../../src/sentinelone/types.js";
import { DAY_MS } from "../../src/sentinelone/validity.js";

const now = Date.UTC(2026, 11, 3, 8, 0, 0);
const iso = (ms: number) => new Date(ms).toISOString().replace("Z", "123Z"); // microseconds, as SentinelOne answers
const payload = (type: "IPV4" | "SHA256", validUntil?: number): IocPayload => ({
  type,
  value: type === "IPV4" ? "10.0.0.1" : "a".repeat(64),
  method: "EQUALS",
  source: "OpenCTI",
  externalId: "indicator--1",
  ...(validUntil !== undefined ? { validUntil: new Date(validUntil).toISOString() } : {}),
});
/** The record SentinelOne stores for `p`, uploaded at `upload` and last updated at `updated`. */
const record = (p: IocPayload, validUntil: number, upload: number, updated = upload): IocRecord => ({
  ...p,
  uuid: "u-1",
  validUntil: iso(validUntil),
  uploadTime: iso(upload),
  updatedAt: iso(updated),
});

describe("fingerprintIoc and SentinelOne's expiry rules", () => {
  const upload = now - 5 * DAY_MS;

  it("a validUntil beyond the maximum matches the record clamped at its upload or its last update", () => {
    const sent = payload("IPV4", now + 60 * DAY_MS);
    expect(fingerprintIoc(record(sent, upload + 30 * DAY_MS, upload), now)).toBe(fingerprintIoc(sent, now));
    const updated = now - DAY_MS;
    expect(fingerprintIoc(record(sent, updated + 30 * DAY_MS, upload, updated), now)).toBe(fingerprintIoc(sent, now));
  });

  it("no validUntil matches the record defaulted (14 days for IPs; 180 for hashes, also their maximum)", () => {
    const ip = payload("IPV4");
    expect(fingerprintIoc(record(ip, upload + 14 * DAY_MS, upload), now)).toBe(fingerprintIoc(ip, now));
    const hash = payload("SHA256");
    expect(fingerprintIoc(record(hash, upload + 180 * DAY_MS, upload), now)).toBe(fingerprintIoc(hash, now));
  });

  it("a date within the maximum is compared as an instant; another date or a lapsed clamp differs", () => {
    const sent = payload("IPV4", now + 10 * DAY_MS);
    expect(fingerprintIoc(record(sent, now + 10 * DAY_MS, upload), now)).toBe(fingerprintIoc(sent, now));
    expect(fingerprintIoc(record(sent, now + 3 * DAY_MS, upload), now)).not.toBe(fingerprintIoc(sent, now));
    // Clamped at an upload 25 days ago while the date is now within reach: sent again, SentinelOne then keeps it.
    const old = now - 25 * DAY_MS;
    expect(fingerprintIoc(record(sent, old + 30 * DAY_MS, old), now)).not.toBe(fingerprintIoc(sent, now));
    expect(fingerprintIoc(record(payload("IPV4"), upload + 20 * DAY_MS, upload), now)).not.toBe(
      fingerprintIoc(payload("IPV4"), now),
    );
  });
});
