import { describe, expect, it } from "vitest";
import { DOC_SENTENCE, renderConfigDoc } from "../src/config-doc.js";
import { type EnvSchema, toEnvSchema } from "../src/env-schema.js";
import { fakeConfigSchema } from "./helpers.js";

const HEADER = "| Property | Type | Required | Possible values | Default | Description |";

describe("renderConfigDoc", () => {
  const doc = renderConfigDoc(toEnvSchema(fakeConfigSchema(), "acme-intel"));
  const rows = doc.split("\n").filter((line) => line.startsWith("| ") && line !== HEADER && !line.startsWith("| ---"));

  it("opens with the title, the fixed sentence and the table header", () => {
    expect(doc.split("\n").slice(0, 8)).toEqual([
      "# Connector Configurations",
      "",
      DOC_SENTENCE,
      "",
      "### Type: `object`",
      "",
      HEADER,
      "| -------- | ---- | -------- | --------------- | ------- | ----------- |",
    ]);
    expect(DOC_SENTENCE).toMatch(/^Below is an exhaustive enumeration of all configurable parameters/);
  });

  it("lists required rows first, then the others, each group in schema order", () => {
    expect(rows.map((row) => row.split(" | ")[0]?.slice(2))).toEqual([
      "OPENCTI_URL",
      "OPENCTI_TOKEN",
      "CONNECTOR_LIVE_STREAM_ID",
      "ACME_INTEL_API_URL",
      "ACME_INTEL_API_KEY",
      "CONNECTOR_NAME",
      "CONNECTOR_SCOPE",
      "CONNECTOR_LOG_LEVEL",
      "ACME_INTEL_URL",
      "ACME_INTEL_BATCH_SIZE",
    ]);
    expect(rows.slice(0, 5).every((row) => row.split(" | ")[2] === "✅")).toBe(true);
    expect(rows.slice(5).every((row) => row.split(" | ")[2] === "")).toBe(true);
  });

  it("renders types, possible values, defaults and descriptions", () => {
    const formats = "https://json-schema.org/understanding-json-schema/reference/string#built-in-formats";
    expect(rows).toContain(
      `| OPENCTI_URL | \`string\` | ✅ | Format: [\`uri\`](${formats}) |  | The base URL of the OpenCTI instance. |`,
    );
    expect(rows).toContain(
      `| OPENCTI_TOKEN | \`string\` | ✅ | Format: [\`password\`](${formats}) |  | The API token to connect to OpenCTI. |`,
    );
    expect(rows).toContain(
      '| CONNECTOR_LOG_LEVEL | `string` |  | `debug` `info` `warn` `warning` `error` | `"error"` | The minimum level of logs to display. |',
    );
    expect(rows).toContain('| CONNECTOR_SCOPE | `array` |  | string | `["indicator"]` | The connector scope. |');
    expect(rows).toContain(
      "| ACME_INTEL_BATCH_SIZE | `integer` |  | `1 <= x <= 5000` | `500` | Most items per request. |",
    );
    expect(rows).toContain(
      `| ACME_INTEL_URL | \`string\` |  | Format: [\`uri\`](${formats}) |  | Deprecated: use \`ACME_INTEL_API_URL\` instead. |`,
    );
  });

  it("keeps every row on one line and escapes pipes", () => {
    const schema: EnvSchema = {
      $schema: "s",
      $id: "i",
      type: "object",
      properties: {
        A_B: { type: "string", pattern: "^(a|b)$", description: "one\ntwo | three", deprecated: true },
        A_C: { type: "boolean", const: true },
      },
      required: [],
      additionalProperties: true,
    };
    const out = renderConfigDoc(schema);
    expect(out).toContain("| A_B | `string` |  | Pattern: `^(a\\|b)$` |  | Deprecated. one two \\| three |");
    expect(out).toContain("| A_C | `const` |  | `true` |  |  |");
  });

  it("ends with exactly one newline and is stable", () => {
    expect(doc.endsWith("|\n")).toBe(true);
    expect(renderConfigDoc(toEnvSchema(fakeConfigSchema(), "acme-intel"))).toBe(doc);
  });
});
