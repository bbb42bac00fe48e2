// Scale fixture for `npm run reconcile` (run after `npm run build`): both simulators in this process, seeded with
// N synthetic indicators and the N IOCs the connector maps them to, minus 1 % removed and plus 1 % duplicated, so
// that the reconcile CLI can be measured alone in another process. Prints one JSON line with the environment to
// give the CLI, then serves until killed.
//   node connectors/sentinelone-intel/test/reconcile/scale-fixture.mjs [N] [issue] [RPM]
// With `issue`: issue 12's "done when" drift instead (10 % removed, 50 orphans, 5 % duplicated, 5 % given another
// validUntil, 50 IOCs of another source) and SentinelOne's rate limit on: RPM requests/minute (default 30; 0 = off).
// e.g. (bash) eval "$(node … | jq -r 'to_entries[]|"export \(.key)=\(.value)"')" && /usr/bin/time -v node
//   connectors/sentinelone-intel/dist/reconcile/cli.js --json --requests-per-minute 0
import { OpenCtiSimulator, syntheticIndicatorFeed } from "../../../../connector-sdk-testing/dist/index.js";
import { mapIndicator } from "../../dist/mapping/ioc-builder.js";
import { DEFAULT_ACCOUNT_ID, DEFAULT_API_TOKEN, SentinelOneSimulator } from "../../dist-dev/simulator/index.js";

const count = Number(process.argv[2] ?? 100_000);
const issueMix = process.argv[3] === "issue";
const rpm = Number(process.argv[4] ?? 30);
const STREAM = "scale-stream";
const TOKEN = "scale-octi-token";
const SOURCE = "OpenCTI";

const octi = new OpenCtiSimulator({ token: TOKEN, streams: [{ id: STREAM }], idleHeartbeatsAdvance: true });
await octi.start();
const feed = syntheticIndicatorFeed({ count, seed: "reconcile-scale", now: new Date() });
octi.addSyntheticFeed(feed, STREAM);

const s1 = new SentinelOneSimulator();
const s1Url = await s1.start();
const now = Date.now();
let batch = [];
const flush = async () => {
  if (batch.length === 0) return;
  const response = await fetch(`${s1Url}/web/api/v2.1/threat-intelligence/iocs`, {
    method: "POST",
    headers: { authorization: `ApiToken ${DEFAULT_API_TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify({ filter: { accountIds: [DEFAULT_ACCOUNT_ID] }, data: batch }),
  });
  if (response.status !== 200) throw new Error(`seeding failed: HTTP ${response.status} ${await response.text()}`);
  batch = [];
};
for (let i = 0; i < count; i++) {
  const mapping = mapIndicator(feed.make(i).data, { source: SOURCE, now });
  if (mapping.kind === "skip") continue;
  if (!issueMix && i % 100 === 1) continue; // 1 % removed
  batch.push(...mapping.payloads);
  if (!issueMix && i % 100 === 2) batch.push(...mapping.payloads); // 1 % duplicated
  if (batch.length >= 1000) await flush();
}
await flush();
if (issueMix) {
  const soon = new Date(Date.now() + 3 * 86_400_000).toISOString();
  for (let i = 0; i < count; i++) {
    const externalId = feed.make(i).data.id;
    const r = i % 20;
    if (r === 0 || r === 1)
      s1.console.remove({ externalId }); // 10 %
    else if (r === 2)
      s1.console.duplicate({ externalId }); // 5 %
    else if (r === 3) s1.console.edit({ externalId }, { validUntil: soon }); // 5 %
  }
  const orphan = (n, source) => ({
    type: "IPV4",
    value: `203.0.${n >> 8}.${n & 255}`,
    method: "EQUALS",
    source,
    externalId: `indicator--00000000-0000-4000-8000-${String(n).padStart(12, "0")}`,
  });
  s1.console.add(Array.from({ length: 50 }, (_, n) => orphan(n, SOURCE)));
  s1.console.add(Array.from({ length: 50 }, (_, n) => orphan(n + 100, "Another feed")));
  if (rpm > 0) s1.setRateLimit({ requestsPerMinute: rpm, retryAfter: "seconds", body: "html" });
}
process.stdout.write(
  `${JSON.stringify({
    OPENCTI_URL: octi.url,
    OPENCTI_TOKEN: TOKEN,
    CONNECTOR_ID: "5b0a5c43-5b0e-4a57-9d5c-1f2a3b4c5d6e",
    CONNECTOR_LIVE_STREAM_ID: STREAM,
    SENTINELONE_INTEL_API_URL: s1Url,
    SENTINELONE_INTEL_API_KEY: DEFAULT_API_TOKEN,
    SENTINELONE_INTEL_ACCOUNT_ID: DEFAULT_ACCOUNT_ID,
    SENTINELONE_INTEL_SOURCE: SOURCE,
    iocs: s1.iocCount(),
  })}\n`,
);
