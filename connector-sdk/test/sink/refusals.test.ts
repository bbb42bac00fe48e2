import { describe, expect, it } from "vitest";
import { HttpTargetError, type HttpTargetErrorInit } from "../../src/http/target-error.js";
import { classifyHttpFailure, type RefusalPolicy } from "../../src/sink/refusals.js";

const policy: RefusalPolicy = {
  name: "Target",
  credentials: "API key",
  itemIndices: (error) => (error.errors[0]?.detail === "item 2" ? [2] : []),
  authHint: "check TARGET_API_KEY",
  otherHint: "check TARGET_API_URL",
};

function error(init: Partial<HttpTargetErrorInit>): HttpTargetError {
  return new HttpTargetError("Target POST /x failed", { method: "POST", path: "/x", kind: "other", ...init });
}

describe("classifyHttpFailure", () => {
  it("retries a 429 (not sent, paces down, Retry-After kept)", () => {
    expect(classifyHttpFailure(error({ kind: "rate_limited", status: 429, retryAfterMs: 5000 }), policy)).toEqual({
      kind: "retry",
      reason: "Target POST /x failed",
      mayHaveLanded: false,
      rateLimited: true,
      retryAfterMs: 5000,
    });
  });

  it.each([
    ["unavailable", undefined, true],
    ["timeout", undefined, true],
    ["network", "ECONNRESET", true],
    ["network", "ECONNREFUSED", false],
  ] as const)("retries %s (%s): may have landed %s", (kind, code, mayHaveLanded) => {
    const failure = classifyHttpFailure(error({ kind, ...(code ? { code } : {}) }), policy);
    expect(failure).toMatchObject({ kind: "retry", mayHaveLanded, rateLimited: false });
  });

  it("refuses content with the items the policy names, or none (the queue bisects)", () => {
    const named = error({ kind: "invalid", status: 400, errors: [{ detail: "item 2" }] });
    expect(classifyHttpFailure(named, policy)).toEqual({
      kind: "refused",
      reason: "Target POST /x failed",
      status: 400,
      itemIndices: [2],
    });
    expect(classifyHttpFailure(error({ kind: "invalid", status: 422 }), { name: "Target" })).toMatchObject({
      kind: "refused",
      itemIndices: [],
    });
  });

  it("stops on bad credentials, unexpected answers and foreign errors, with the hints", () => {
    const auth = error({ kind: "auth", status: 401, errors: [{ title: "Authentication Failed" }] });
    expect(classifyHttpFailure(auth, policy)).toEqual({
      kind: "fatal",
      message: "Target rejected the API key (401 Authentication Failed) on POST /x: check TARGET_API_KEY",
    });
    expect(classifyHttpFailure(error({ status: 404 }), policy)).toEqual({
      kind: "fatal",
      message: "Target answered unexpectedly (Target POST /x failed): check TARGET_API_URL",
    });
    expect(classifyHttpFailure(new TypeError("boom"), policy)).toEqual({
      kind: "fatal",
      message: "Target request failed unexpectedly: boom",
    });
  });
});
