import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DEFAULT_API_TOKEN, IOCS_PATH } from "../../dev/simulator/index.js";
import { demoCli, runDemo } from "../../dev/tools/demo.js";
import { buildDemoFeed, expectedIocs } from "../../dev/tools/demo-feed.js";
import { renderSummary } from "../../dev/tools/summary.js";
import type { CliIo } from "../../src/tools/args.js";

const dirs: string[] = [];
const workDir = () => {
  const dir = mkdtempSync(join(tmpdir(), "demo-test-"));
  dirs.push(dir);
  return dir;
};

describe("demo", () => {
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it("runs the real connector on both simulators and ends with exactly the expected IOCs", async () => {
    const dir = workDir();
    let progress = "";
    const result = await runDemo({ size: 150, workDir: dir, output: { write: (t: string) => (progress += t) } });
    expect(result.problems).toEqual([]);
    expect(result.ok).toBe(true);
    expect(result.exitCode).toBe(0);
    expect(result.comparison.equal).toBe(true);
    const expected = expectedIocs(buildDemoFeed({ size: 150 }));
    expect(result.comparison.actual).toBe(expected.length);
    expect(expected.length).toBeGreaterThan(100);

    // Every event reached the connector: one per feed step, and the feed counts them as the table does.
    const received = Object.values(result.eventsReceived).reduce((a, b) => a + b, 0);
    expect(received).toBe(result.feed.steps);
    expect(result.eventsReceived).toEqual(result.feed.events.byEvent);
    expect(result.feed.events.malformed).toBe(3);
    expect(result.malformed).toBe(3);
    expect(result.handlerErrors).toBe(0);
    expect(result.deadLettered).toBe(0);
    // Every SentinelOne type was created, and unsupported indicators were skipped for their reasons.
    expect(Object.keys(result.iocsCreated).sort()).toEqual(["DNS", "IPV4", "IPV6", "MD5", "SHA1", "SHA256", "URL"]);
    expect(Object.keys(result.skipped)).toEqual(
      expect.arrayContaining(["unsupported_pattern_type", "compound_and", "unsupported_object", "invalid_value"]),
    );
    // What was created and is gone was deleted by the connector (a create and a delete that meet in one batch
    // window coalesce and send nothing, so the number depends on timing).
    const removed = Object.values(result.iocsRemoved).reduce((a, b) => a + b, 0);
    expect(result.deletedReported).toBe(removed);
    expect(result.requests.byStatus["200"]).toBe(result.requests.total);
    // The connector as the simulated OpenCTI lists it, with the state it pushed at the end.
    expect(result.connector?.name).toBe("SentinelOne Intel (demo)");
    expect(JSON.parse(result.connector?.state ?? "{}")).toMatchObject({ start_from: result.run?.state?.start_from });

    expect(progress).toMatch(/^progress: events \d+\/\d+/m);
    const summary = renderSummary(result);
    expect(summary).toContain("RESULT: OK");
    const byEvent = result.feed.events.byEvent;
    expect(summary).toContain(
      `Feed: ${byEvent.create} create, ${byEvent.update} update, ${byEvent.merge} merge, ${byEvent.delete} delete; of these, ${result.feed.events.revocations} updates revoke an indicator and 3 events are malformed`,
    );
    for (const [event, n] of Object.entries(byEvent))
      expect(summary).toMatch(new RegExp(`^ ${event} +\\| +${n}$`, "m"));
    expect(summary).toMatch(/Events received \(by type\)/);
    expect(summary).toMatch(/IOCs created \(by SentinelOne type\)/);
    expect(summary).toMatch(/Indicators skipped \(by reason\)/);
    expect(summary).toMatch(/SentinelOne requests \(by HTTP status\)/);
    // Logs went to the file, not the screen.
    expect(existsSync(result.logFile)).toBe(true);
    expect(readFileSync(result.logFile, "utf8")).toMatch(/Connector registered/);
    expect(progress).not.toMatch(/"level"/);
    expect(result.removedWorkDir).toBe(false); // a folder given by the caller is the caller's
  });

  it("removes its own temporary folder unless --keep, and says so", async () => {
    const removed = await runDemo({ size: 30, quiet: true });
    expect(removed.ok).toBe(true);
    expect(removed.removedWorkDir).toBe(true);
    expect(existsSync(removed.workDir)).toBe(false);
    expect(renderSummary(removed)).toContain("Connector log: removed with the demo's temporary folder");
    const kept = await runDemo({ size: 30, quiet: true, keep: true });
    dirs.push(kept.workDir);
    expect(kept.removedWorkDir).toBe(false);
    expect(readFileSync(kept.logFile, "utf8")).toMatch(/Connector registered/);
    expect(renderSummary(kept)).toContain(`Connector log: ${kept.logFile}`);
  });

  it("detects a SentinelOne state that differs from the expectation", async () => {
    const result = await runDemo({
      size: 40,
      quiet: true,
      workDir: workDir(),
      beforeCompare: async ({ sentinelOne }) => {
        // Remove one IOC behind the connector's back, through the API.
        const victim = sentinelOne.iocs()[0]!;
        const response = await fetch(`${sentinelOne.url}${IOCS_PATH}`, {
          method: "DELETE",
          headers: { Authorization: `ApiToken ${DEFAULT_API_TOKEN}`, "Content-Type": "application/json" },
          body: JSON.stringify({ filter: { uuids: [victim.uuid] } }),
        });
        expect(response.status).toBe(200);
      },
    });
    expect(result.ok).toBe(false);
    expect(result.exitCode).toBe(1);
    expect(result.comparison.missing).toHaveLength(1);
    expect(result.comparison.unexpected).toHaveLength(0);
    expect(renderSummary(result)).toMatch(/RESULT: FAILED\. .*1 missing, 0 unexpected/);
  });

  it("refuses bad arguments with exit code 2 and the usage", async () => {
    let err = "";
    const io: CliIo = { out: () => undefined, err: (t) => (err += t), env: {}, cwd: process.cwd() };
    expect(await demoCli(["--size", "zero"], io)).toBe(2);
    expect(err).toMatch(/--size must be a positive integer/);
    expect(err).toMatch(/Usage: npm run demo/);
    expect(await demoCli(["--bogus"], io)).toBe(2);
  });
});
