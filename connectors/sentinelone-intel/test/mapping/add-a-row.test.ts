/**
 * Adding an IOC type is adding one row: a table with one more row, and nothing else, is classified, built into
 * payloads and documented by the same code. Two hypothetical types: an e-mail address (a `value` row with its own
 * normaliser and validator) and SHA-512 (a hash row from the same building blocks as the real ones).
 */
import {
  createClassifier,
  createMapper,
  hashKey,
  hexHash,
  type PatternRow,
  property,
  type TableType,
} from "@octi/connector-sdk";
import { describe, expect, it } from "vitest";
import { buildIoc } from "../../src/mapping/ioc-builder.js";
import { classifyIndicator, PATTERN_TABLE } from "../../src/mapping/pattern-table.js";
import { indicator, MD5 } from "../helpers/indicators.js";
import { patternTableMarkdown } from "./table-docs.js";

const EMAIL_ROW: PatternRow<"EMAIL"> = {
  objectType: "email-addr",
  key: property("value"),
  iocType: "EMAIL",
  normalise: (raw) => raw.trim().toLowerCase(),
  validate: (value) => (/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(value) ? undefined : "not an e-mail address"),
  check: "local@domain, sent in lower case",
};

const SHA512_ROW: PatternRow<"SHA512"> = {
  objectType: "file",
  key: hashKey("SHA-512"),
  iocType: "SHA512",
  ...hexHash(
    "SHA-512",
    128,
    "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e",
  ),
};

const SHA512 = "a".repeat(64) + "B".repeat(64);
const EXTENDED = [...PATTERN_TABLE, EMAIL_ROW, SHA512_ROW];
const NOW = { now: Date.parse("2025-01-01T00:00:00Z") };

describe("a table with one more row", () => {
  const classify = createClassifier(EXTENDED);

  it("classifies the new types, through their own normaliser", () => {
    expect(classify(indicator("[email-addr:value = ' Bad.Actor@Example.COM ']"), NOW)).toEqual({
      kind: "iocs",
      iocs: [{ type: "EMAIL", value: "bad.actor@example.com" }],
    });
    expect(classify(indicator(`[file:hashes.'Sha-512' = '${SHA512}']`), NOW)).toEqual({
      kind: "iocs",
      iocs: [{ type: "SHA512", value: SHA512.toLowerCase() }],
    });
  });

  it("refuses a bad value with the new row's own reason", () => {
    expect(classify(indicator("[email-addr:value = 'nobody']"), NOW)).toEqual({
      kind: "skip",
      reason: "invalid_value",
      detail: "EMAIL 'nobody' (position 1): not an e-mail address",
    });
  });

  it("keeps the existing rows, in disjunctions with the new ones", () => {
    const pattern = `[email-addr:value = 'a@example.com'] OR [file:hashes.MD5 = '${MD5}'] OR [file:hashes.sha512 = '${SHA512}']`;
    expect(classify(indicator(pattern), NOW)).toEqual({
      kind: "iocs",
      iocs: [
        { type: "EMAIL", value: "a@example.com" },
        { type: "MD5", value: MD5 },
        { type: "SHA512", value: SHA512.toLowerCase() },
      ],
    });
  });

  it("builds the payloads with the new type", () => {
    const map = createMapper(classify, buildIoc<TableType<typeof EXTENDED>>);
    const source = indicator("[email-addr:value = 'a@example.com']");
    expect(map(source, { source: "OpenCTI", ...NOW })).toMatchObject({
      kind: "iocs",
      payloads: [{ type: "EMAIL", value: "a@example.com", method: "EQUALS", source: "OpenCTI", externalId: source.id }],
    });
  });

  it("names the new rows in skip details and in the docs", () => {
    const skipped = classify(indicator("[x-thing:value = 'a']"), NOW);
    expect(skipped).toMatchObject({ kind: "skip", reason: "unsupported_object" });
    if (skipped.kind === "skip") expect(skipped.detail).toContain("email-addr:value, file:hashes.'SHA-512'");
    const docs = patternTableMarkdown(EXTENDED);
    expect(docs).toContain("`email-addr:value`");
    expect(docs).toContain("`EMAIL`");
    expect(docs).toContain("local@domain, sent in lower case");
  });

  it("leaves the connector's own classifier as it was", () => {
    expect(classifyIndicator(indicator("[email-addr:value = 'a@example.com']"), NOW)).toMatchObject({
      kind: "skip",
      reason: "unsupported_object",
    });
    expect(classifyIndicator(indicator(`[file:hashes.'SHA-512' = '${SHA512}']`), NOW)).toMatchObject({
      kind: "skip",
      reason: "unsupported_object",
    });
  });
});

describe("a table that cannot work", () => {
  it.each([
    ["two rows for one comparison", [EMAIL_ROW, EMAIL_ROW], /two rows take 'email-addr:value'/],
    ["an upper-case object type", [{ ...EMAIL_ROW, objectType: "Email-Addr" }], /write it lower case/],
  ])("is refused when built: %s", (_name, rows, message) => {
    expect(() => createClassifier(rows)).toThrow(message);
  });
});
