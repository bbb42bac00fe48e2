import { describe, expect, it } from "vitest";
import { startFailure } from "../../src/runtime/main.js";

describe("startFailure", () => {
  it("gives the innermost reason of tsyringe's nested injection errors", () => {
    const nested = new Error(
      'Cannot inject the dependency "queue" at position #0 of "SentinelOneHandler" constructor. Reason:\n' +
        '    Cannot inject the dependency "agents" at position #1 of "PushQueue" constructor. Reason:\n' +
        "        Cannot read the CA bundle /etc/ca.pem: ENOENT",
    );
    expect(startFailure(nested)).toBe("Cannot read the CA bundle /etc/ca.pem: ENOENT");
  });

  it("leaves other errors as they are", () => {
    expect(startFailure(new Error("OpenCTI refused the token"))).toBe("OpenCTI refused the token");
    expect(startFailure("plain text")).toBe("plain text");
  });
});
