import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { buildSchema, parse, validate } from "graphql";
import { describe, expect, it } from "vitest";
import { ALL_DOCUMENTS } from "../../src/opencti/documents.js";

const schema = buildSchema(
  readFileSync(
    fileURLToPath(new URL("../../../connector-sdk-testing/schema/opencti.graphql", import.meta.url)),
    "utf8",
  ),
);

describe("GraphQL documents", () => {
  it.each(Object.entries(ALL_DOCUMENTS))("%s is valid against OpenCTI 6.9.17's schema", (_name, document) => {
    expect(validate(schema, parse(document))).toEqual([]);
  });

  it("the validation catches a wrong document (so the test above can fail)", () => {
    const errors = validate(schema, parse("query { about { no_such_field } }"));
    expect(errors.length).toBeGreaterThan(0);
  });
});
