#!/usr/bin/env node
/**
 * CPU of the target index on the sink queue's backfill path: `node connector-sdk/bench/target-index-cycle.mjs
 * [keys] [sdk dist dir]` after `npx turbo run build --filter=@octi/connector-sdk` (pass another worktree's
 * `connector-sdk/dist` to compare builds). Per cycle of 2,000 new keys, as `SinkQueue` does: a lookup and a plan per
 * key, the uncertain marks before the request, the records and the cleared marks after it, the checkpoint. Prints
 * CPU microseconds per key for each step (test data is generated off the clock), peak RSS and the file size.
 */
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

const total = Number(process.argv[2] ?? 200_000);
const dist = resolve(process.argv[3] ?? new URL("../dist", import.meta.url).pathname);
const { TargetIndex } = await import(pathToFileURL(join(dist, "target-index/index.js")).href);
const { planKey } = await import(pathToFileURL(join(dist, "sink/plan.js")).href);
const dir = mkdtempSync(join(tmpdir(), "target-index-cycle-"));
const path = join(dir, "index.sqlite");
const index = TargetIndex.open({ path, identity: "cycle-bench" });
const batch = 2_000;
const cpuNs = () => {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) * 1000;
};
const spent = { lookup: 0, mark: 0, put: 0 };
for (let done = 0; done < total; done += batch) {
  const keys = Array.from({ length: batch }, () => `indicator--${randomUUID()}`);
  const records = keys.map((key) => ({
    id: randomUUID(),
    key,
    fingerprint: createHash("sha256").update(randomBytes(8)).digest("base64url").slice(0, 22),
  }));
  let at = cpuNs();
  for (const key of keys) planKey([{ fingerprint: "f", payload: key }], index.recordsOf(key), index.isUncertain(key));
  spent.lookup += cpuNs() - at;
  at = cpuNs();
  const sentAt = Date.now();
  index.markUncertain(keys, sentAt);
  spent.mark += cpuNs() - at;
  at = cpuNs();
  index.put(records, keys);
  index.setCheckpoint(sentAt);
  spent.put += cpuNs() - at;
}
const perKey = (ns) => Number((ns / 1000 / total).toFixed(2));
console.log(
  JSON.stringify({
    keys: total,
    dist,
    cpu_us_per_key: { lookup: perKey(spent.lookup), mark: perKey(spent.mark), put: perKey(spent.put) },
    index_records: index.size,
    rss_peak_mb: Number((process.resourceUsage().maxRSS / 1024).toFixed(1)),
    file_mb: Number((statSync(path).size / 1048576).toFixed(1)),
  }),
);
index.close();
rmSync(dir, { recursive: true, force: true });
