#!/usr/bin/env node
/**
 * Memory of the target index with many records: `node connector-sdk/bench/target-index-rss.mjs [records]` after
 * `npx turbo run build --filter=@octi/connector-sdk`. Fills a fresh index in batches of 2,000 (one transaction
 * each, as create answers and listing pages arrive), then looks up and removes records, and prints the resident set
 * size at each step and the peak (the bound: 150 MB with 1,000,000 records).
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TargetIndex } from "../dist/target-index/index.js";

const total = Number(process.argv[2] ?? 1_000_000);
const batch = 2_000;
const dir = mkdtempSync(join(tmpdir(), "target-index-rss-"));
const path = join(dir, "index.sqlite");
const mb = (bytes) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
const rss = () => mb(process.memoryUsage().rss);
const started = Date.now();
const index = TargetIndex.open({ path, identity: "rss-bench" });
const keys = [];
for (let done = 0; done < total; done += batch) {
  const records = [];
  for (let i = 0; i < batch && done + i < total; i++) {
    const key = `indicator--${randomBytes(16).toString("hex")}`;
    if ((done + i) % 1000 === 0) keys.push(key);
    records.push({ id: randomBytes(16).toString("hex"), key, fingerprint: randomBytes(8).toString("hex") });
  }
  index.put(records);
  if ((done + batch) % 200_000 === 0) console.log(`${done + batch} records, rss ${rss()}`);
}
const filled = Date.now();
let found = 0;
for (let round = 0; round < 100; round++) for (const key of keys) found += index.recordsOf(key).length;
const looked = Date.now();
index.removeKeys(keys);
index.close();
const usage = process.resourceUsage();
console.log(
  JSON.stringify({
    records: total,
    fill_ms: filled - started,
    lookups: keys.length * 100,
    lookup_ms: looked - filled,
    found,
    rss_now: rss(),
    rss_peak: mb(usage.maxRSS * 1024),
    file: mb(statSync(path).size),
  }),
);
rmSync(dir, { recursive: true, force: true });
