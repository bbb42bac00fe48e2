import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  createEvent,
  deleteEvent,
  liveEnvelope,
  makeIdentity,
  makeIndicator,
  mergeEvent,
  type PublishedEvent,
  updateEvent,
} from "@octi/connector-sdk-testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ReplayLine, type ReplaySummary, replayCli, replayText } from "../../dev/tools/replay.js";
import type { CliIo } from "../../src/tools/args.js";

const SHA256 = "6f1ed002ab5595859014ebf0951522d9a4f7d3b7e8f6b8b1f1e8c3e5f4b2a1c0";
const ip = makeIndicator({ pattern: "[ipv4-addr:value = '198.51.100.7']", seed: "replay-ip", score: 70 });
const hash = makeIndicator({ pattern: `[file:hashes.'SHA-256' = '${SHA256}']`, seed: "replay-hash" });
const yara = makeIndicator({ pattern: "rule x { condition: true }", patternType: "yara", seed: "replay-yara" });
const both = makeIndicator({
  pattern: "[domain-name:value = 'evil.example.org'] OR [url:value = 'http://evil.example.org/a']",
  seed: "replay-or",
});

/** One JSON line as the replay file format wants it: `{id, event, data: envelope}`. */
function line(id: string, event: PublishedEvent, dataAsString = false): string {
  const envelope = liveEnvelope(event);
  return JSON.stringify({ id, event: event.event, data: dataAsString ? JSON.stringify(envelope) : envelope });
}

function run(text: string): { lines: ReplayLine[]; summary: ReplaySummary } {
  const lines: ReplayLine[] = [];
  const summary = replayText(text, (l) => lines.push(l), {
    source: "Replay test",
    scope: { accountId: "1000000000000000001" },
  });
  return { lines, summary };
}

describe("dry-run replay", () => {
  it("plans create, skip, replace, delete and merge exactly as the connector would", () => {
    const revoked = makeIndicator({ pattern: ip.pattern, seed: "replay-ip", score: 70, revoked: true });
    const rescored = makeIndicator({ pattern: hash.pattern, seed: "replay-hash", score: 95 });
    const text = [
      line("1-0", createEvent(ip)),
      line("2-0", createEvent(yara), true),
      line("3-0", createEvent(both)),
      line("4-0", updateEvent(hash, rescored)),
      line("5-0", updateEvent(ip, revoked)),
      line("6-0", deleteEvent(both)),
      line("7-0", mergeEvent(hash, [ip])),
    ].join("\n");
    const { lines, summary } = run(text);
    expect(lines.map((l) => ("event_id" in l ? `${l.event_id} ${l.action}` : "error"))).toEqual([
      "1-0 create",
      "2-0 skip",
      "3-0 create",
      "4-0 replace",
      "5-0 delete",
      "6-0 delete",
      "7-0 replace",
    ]);
    const [create, skip, orCreate, replace, revoke, del, merge] = lines as Extract<ReplayLine, { event_id: string }>[];
    expect(create!.iocs).toEqual([
      expect.objectContaining({
        type: "IPV4",
        value: "198.51.100.7",
        method: "EQUALS",
        source: "Replay test",
        externalId: ip.id,
        originalRiskScore: 70,
        name: ip.name,
      }),
    ]);
    expect(skip!.reason).toMatch(/^unsupported_pattern_type/);
    expect(orCreate!.iocs.map((i) => i.type)).toEqual(["DNS", "URL"]);
    expect(replace!.iocs).toEqual([expect.objectContaining({ type: "SHA256", value: SHA256, originalRiskScore: 95 })]);
    expect(replace!.deletes).toEqual([
      { externalId: hash.id, source: ["Replay test"], accountIds: ["1000000000000000001"] },
    ]);
    expect(revoke!.reason).toMatch(/^revoked/);
    expect(revoke!.iocs).toEqual([expect.objectContaining({ type: "IPV4", value: "198.51.100.7", externalId: ip.id })]);
    expect(del!.deletes).toEqual([
      { externalId: both.id, source: ["Replay test"], accountIds: ["1000000000000000001"] },
    ]);
    // A merge replaces the target's IOCs and deletes the merged-away source's.
    expect(merge!.deletes?.map((d) => d.externalId)).toEqual([hash.id, ip.id]);
    expect(merge!.iocs).toEqual([expect.objectContaining({ type: "SHA256", externalId: hash.id })]);
    expect(summary).toMatchObject({
      format: "json-lines",
      events: 7,
      create: 2,
      replace: 2,
      delete: 2,
      skip: 1,
      error: 0,
      iocs_by_type: { IPV4: 1, DNS: 1, URL: 1, SHA256: 2 },
      skipped_by_reason: { unsupported_pattern_type: 1 },
    });
  });

  it("reports each bad line clearly and processes the rest", () => {
    const text = [
      line("1-0", createEvent(ip)),
      '{"id": "2-0", "event": "create", "data": {"version": "4"',
      JSON.stringify({ id: "3-0", event: "upsert", data: liveEnvelope(createEvent(ip)) }),
      JSON.stringify({ id: "4-0", event: "create" }),
      JSON.stringify({ event: "create", data: liveEnvelope(createEvent(ip)) }),
      JSON.stringify({ id: "6-0", event: "create", data: ip }),
      "",
      "[1, 2]",
      line("9-0", createEvent(hash)),
    ].join("\n");
    const { lines, summary } = run(text);
    const errors = lines.filter((l): l is Extract<ReplayLine, { action: "error" }> => l.action === "error");
    expect(errors.map((e) => e.line)).toEqual([2, 3, 4, 5, 6, 8]);
    expect(errors[0]!.reason).toMatch(/invalid JSON/);
    expect(errors[1]!.reason).toMatch(/unknown event type "upsert"/);
    expect(errors[2]!.reason).toMatch(/missing field `data`/);
    expect(errors[3]!.reason).toMatch(/missing field `id`/);
    expect(errors[4]!.reason).toMatch(/not the STIX object itself/);
    expect(errors[5]!.reason).toMatch(/not a JSON object/);
    expect(lines.filter((l) => l.action === "create").map((l) => ("event_id" in l ? l.event_id : ""))).toEqual([
      "1-0",
      "9-0",
    ]);
    expect(summary).toMatchObject({ events: 2, create: 2, error: 6 });
  });

  it("treats every indicator of a STIX bundle as a create and skips other objects", () => {
    const bundle = {
      type: "bundle",
      id: "bundle--0b7e5c3a-1111-4222-8333-944445555666",
      objects: [makeIdentity({ name: "ACME CERT" }), ip, yara, both],
    };
    const { lines, summary } = run(JSON.stringify(bundle, null, 2));
    expect(lines.map((l) => l.action)).toEqual(["skip", "create", "skip", "create"]);
    expect((lines[0] as { reason: string }).reason).toMatch(/^not_indicator/);
    expect(summary).toMatchObject({
      format: "stix-bundle",
      events: 4,
      create: 2,
      skip: 2,
      iocs_by_type: { IPV4: 1, DNS: 1, URL: 1 },
    });
  });

  describe("CLI", () => {
    let dir: string;
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), "replay-test-"));
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    function io(env: Record<string, string> = {}): CliIo & { stdout: () => string; stderr: () => string } {
      let out = "";
      let err = "";
      return {
        out: (t) => {
          out += t;
        },
        err: (t) => {
          err += t;
        },
        env,
        cwd: dir,
        stdout: () => out,
        stderr: () => err,
      };
    }

    it("prints one JSON line per event, then the summary, with the source from the env; exit 0 despite bad lines", async () => {
      writeFileSync(
        join(dir, "events.jsonl"),
        `${line("1-0", createEvent(ip))}\nnot json\n${line("3-0", createEvent(yara))}\n`,
      );
      const cli = io({ SENTINELONE_INTEL_SOURCE: "From env" });
      expect(await replayCli(["events.jsonl"], cli)).toBe(0);
      const printed = cli
        .stdout()
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(printed).toHaveLength(4);
      expect(printed[0]).toMatchObject({
        event_id: "1-0",
        action: "create",
        iocs: [{ source: "From env", value: "198.51.100.7" }],
      });
      expect(printed[1]).toEqual({ line: 2, action: "error", reason: expect.stringMatching(/invalid JSON/) });
      expect(printed[2]).toMatchObject({ event_id: "3-0", action: "skip" });
      expect(printed[3]).toMatchObject({ summary: { events: 2, create: 1, skip: 1, error: 1 } });
    });

    it("uses the default source without configuration, and exits 1 when the file cannot be read", async () => {
      writeFileSync(join(dir, "one.jsonl"), line("1-0", createEvent(hash)));
      const ok = io({ SENTINELONE_INTEL_SOURCE: "ignored" });
      expect(await replayCli(["one.jsonl", "--no-config"], ok)).toBe(0);
      expect(JSON.parse(ok.stdout().split("\n")[0]!)).toMatchObject({ iocs: [{ source: "OpenCTI" }] });

      const missing = io();
      expect(await replayCli(["does-not-exist.jsonl"], missing)).toBe(1);
      expect(missing.stderr()).toMatch(/Cannot read does-not-exist\.jsonl/);
      expect(missing.stdout()).toBe("");
      expect(await replayCli([], io())).toBe(2);
    });
  });
});
