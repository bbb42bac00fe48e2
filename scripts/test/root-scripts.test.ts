/** Issue 13 item 12: a newcomer running the repository's own scripts never sees turbo's telemetry notice. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../src/cli.js";

const scripts = (
  JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }
).scripts;

describe("root package.json scripts", () => {
  it("turn turbo's telemetry off wherever they run turbo", () => {
    const withTurbo = Object.entries(scripts).filter(([, command]) => /\bturbo\b/.test(command));
    expect(withTurbo.length).toBeGreaterThan(5);
    for (const [name, command] of withTurbo) {
      const runs = command.match(/\bturbo run\b/g)?.length ?? 0;
      const off = command.match(/TURBO_TELEMETRY_DISABLED=1 turbo run\b/g)?.length ?? 0;
      expect(off, `${name}: ${command}`).toBe(runs);
    }
  });
});
