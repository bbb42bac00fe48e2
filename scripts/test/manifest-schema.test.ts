import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../src/cli.js";
import { isDate, isUri, MANIFEST_SCHEMA_PATH, validateManifest } from "../src/manifest-schema.js";
import { validManifest } from "./helpers.js";

const FIELDS = [
  "title",
  "slug",
  "description",
  "short_description",
  "logo",
  "use_cases",
  "solution_categories",
  "license_type",
  "contact",
  "verified",
  "last_verified_date",
  "playbook_supported",
  "max_confidence_level",
  "support_version",
  "subscription_link",
  "source_code",
  "manager_supported",
  "container_version",
  "container_image",
  "container_type",
];

describe("connector manifest schema", () => {
  it("requires exactly OpenCTI's 20 manifest fields", () => {
    const schema = JSON.parse(readFileSync(MANIFEST_SCHEMA_PATH, "utf8")) as { required: string[]; properties: object };
    expect(FIELDS).toHaveLength(20);
    expect([...schema.required].sort()).toEqual([...FIELDS].sort());
    expect(Object.keys(schema.properties).sort()).toEqual([...FIELDS].sort());
  });

  it("accepts a valid manifest, and the SentinelOne connector's", () => {
    expect(validateManifest(validManifest("acme"))).toEqual([]);
    const s1 = JSON.parse(
      readFileSync(
        join(REPO_ROOT, "connectors", "sentinelone-intel", "__metadata__", "connector_manifest.json"),
        "utf8",
      ),
    ) as unknown;
    expect(validateManifest(s1)).toEqual([]);
  });

  it.each(FIELDS)("reports a missing '%s'", (field) => {
    const manifest = validManifest("acme");
    delete manifest[field];
    expect(validateManifest(manifest)).toContain(`manifest: missing field '${field}'`);
  });

  it.each([
    {
      field: "use_cases",
      value: ["Threat hunting"],
      problem: /^use_cases\.0: must be one of "Adversary & Campaign Insights"/,
    },
    {
      field: "solution_categories",
      value: ["EDR"],
      problem: /^solution_categories\.0: must be one of "Threat Intelligence Feed"/,
    },
    { field: "license_type", value: "Apache-2.0", problem: /^license_type: must be one of "Free", "Commercial"$/ },
    {
      field: "container_type",
      value: "STREAM_CONNECTOR",
      problem: /^container_type: must be one of "EXTERNAL_IMPORT"/,
    },
    { field: "use_cases", value: [], problem: /^use_cases: must NOT have fewer than 1 items$/ },
    {
      field: "use_cases",
      value: ["Other", "FIMI & Disinformation", "Detection & Response Enablement", "Vulnerability & Exploit Awareness"],
      problem: /^use_cases: must NOT have more than 3 items$/,
    },
    {
      field: "solution_categories",
      value: ["Other", "Other"],
      problem: /^solution_categories: must NOT have duplicate items/,
    },
    {
      field: "short_description",
      value: "x".repeat(251),
      problem: /^short_description: must NOT have more than 250 characters$/,
    },
    { field: "slug", value: "Acme_Intel", problem: /^slug: must match pattern/ },
    { field: "max_confidence_level", value: 101, problem: /^max_confidence_level: must be <= 100$/ },
    { field: "support_version", value: "6.7", problem: /^support_version: must match pattern/ },
    { field: "source_code", value: "github.com/acme", problem: /^source_code: must match format "uri"$/ },
    { field: "subscription_link", value: "www.acme.example", problem: /^subscription_link: must match format "uri"$/ },
    { field: "last_verified_date", value: "2025-02-30", problem: /^last_verified_date: must match format "date"$/ },
    { field: "container_version", value: "latest", problem: /^container_version: must match pattern/ },
    { field: "verified", value: "yes", problem: /^verified: must be boolean$/ },
  ])("reports $field = $value", ({ field, value, problem }) => {
    const problems = validateManifest(validManifest("acme", { [field]: value }));
    expect(
      problems.some((p) => problem.test(p)),
      problems.join("\n"),
    ).toBe(true);
  });

  it("reports an unknown field (a typo would otherwise pass silently)", () => {
    expect(validateManifest(validManifest("acme", { short_descripton: "typo" }))).toContain(
      "manifest: unknown field 'short_descripton'",
    );
  });

  it("requires a last_verified_date once verified", () => {
    expect(validateManifest(validManifest("acme", { verified: true }))).toContain("last_verified_date: must be string");
    expect(validateManifest(validManifest("acme", { verified: true, last_verified_date: "2025-12-04" }))).toEqual([]);
  });

  it("accepts an empty or null subscription link", () => {
    expect(validateManifest(validManifest("acme", { subscription_link: "" }))).toEqual([]);
    expect(validateManifest(validManifest("acme", { subscription_link: null }))).toEqual([]);
  });

  it("checks dates and URIs strictly", () => {
    expect(isDate("2024-02-29")).toBe(true);
    expect(isDate("2023-02-29")).toBe(false);
    expect(isDate("2024-2-9")).toBe(false);
    expect(isUri("https://github.com/a/b/tree/main/x")).toBe(true);
    expect(isUri("mailto:support@example.com")).toBe(true);
    expect(isUri("github.com/a/b")).toBe(false);
    expect(isUri("https://exa mple.com")).toBe(false);
  });
});
