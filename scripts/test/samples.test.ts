import { describe, expect, it } from "vitest";
import { readComposeEnvironment, readEnvSample, readYamlSample } from "../src/samples.js";

describe("sample readers", () => {
  it("flattens config.yml.sample to env names, ignoring comments and reading quoted values", () => {
    const { values, problems } = readYamlSample(
      [
        "# header",
        "opencti:",
        "  url: 'http://localhost:8080'",
        '  token: "ChangeMe"',
        "",
        "acme_intel:   # the connector",
        "  api_key: ChangeMe   # secret",
        "  api_url: 'ChangeMe'                # e.g. https://api.example.com",
        "  # batch_size: 500",
        "  empty:   # nothing",
      ].join("\n"),
    );
    expect(problems).toEqual([]);
    expect(Object.fromEntries(values)).toEqual({
      OPENCTI_URL: { value: "http://localhost:8080", line: 3 },
      OPENCTI_TOKEN: { value: "ChangeMe", line: 4 },
      ACME_INTEL_API_KEY: { value: "ChangeMe", line: 7 },
      ACME_INTEL_API_URL: { value: "ChangeMe", line: 8 },
      ACME_INTEL_EMPTY: { value: "", line: 10 },
    });
  });

  it("reports lines it cannot read", () => {
    expect(readYamlSample("  orphan: 1\nopencti:\n- item\n").problems).toEqual([
      "line 1: not a 'namespace:' or an indented 'key: value' line",
      "line 3: not a 'namespace:' or an indented 'key: value' line",
    ]);
  });

  it("reads .env.sample and docker-compose environment entries", () => {
    expect(Object.fromEntries(readEnvSample("# c\nOPENCTI_TOKEN=ChangeMe\nexport CONNECTOR_ID='abc'\n"))).toEqual({
      OPENCTI_TOKEN: { value: "ChangeMe", line: 2 },
      CONNECTOR_ID: { value: "abc", line: 3 },
    });
    const compose = 'services:\n  c:\n    environment:\n      - OPENCTI_TOKEN=ChangeMe\n      - "CONNECTOR_ID=xyz"\n';
    expect(Object.fromEntries(readComposeEnvironment(compose))).toEqual({
      OPENCTI_TOKEN: { value: "ChangeMe", line: 4 },
      CONNECTOR_ID: { value: "xyz", line: 5 },
    });
  });
});
