import { describe, expect, it } from "vitest";
import { runChecks } from "../src/check.js";
import { captureOutput } from "./helpers.js";

describe("check", () => {
  it("runs every step even after a failure and fails naming the failed ones", async () => {
    const ran: string[] = [];
    const step = (title: string, code: number) => ({
      title,
      run: async () => {
        ran.push(title);
        return code;
      },
    });
    const output = captureOutput();
    const code = await runChecks(
      [
        step("one", 1),
        {
          title: "two",
          run: async () => {
            ran.push("two");
            throw new Error("boom");
          },
        },
        step("three", 0),
      ],
      output,
    );
    expect(code).toBe(1);
    expect(ran).toEqual(["one", "two", "three"]);
    expect(output.stdout).toContain("Failed: one; two");
    expect(output.stderr).toContain("boom");
  });

  it("passes when every step passes", async () => {
    const output = captureOutput();
    expect(await runChecks([{ title: "one", run: async () => 0 }], output)).toBe(0);
    expect(output.stdout).toContain("All checks passed.");
  });
});
