// Scale fixture for `npm run reconcile` (run after `npm run build`): both simulators in this process, seeded with
// N synthetic indicators and the N IOCs the connector maps them to, minus 1 % removed and plus 1 % duplicated, so
// that the reconcile CLI can be measured alone in another process. Prints one JSON line with the environment to
// give the CLI, then serves until killed.
//   node connectors/sentinelone-intel/test/reconcile/scale-fixture.mjs [N] [issue] [RPM]
// With `issue`: issue 12's "done when" drift instead (10 % removed, 50 orphans, 5 % duplicated, 5 % given another
// validUntil, 50 IOCs of another source) and SentinelOne's rate limit on: RPM requests/minute (default 30; 0 = off).
// The drift is dev/tools/reconcile-drift.ts, shared with the bench's reconcile section (`npm run bench -- --only
// reconcile`, which runs the same with the simulators and the command in their own processes).
// e.g. (bash) eval "$(node … | jq -r 'to_entries[]|"export \(.key)=\(.value)"')" && /usr/bin/time -v node
//   connectors/sentinelone-intel/dist/reconcile/cli.js --json --requests-per-minute 0
import { OpenCtiSimulator, syntheticIndicatorFeed } from "../../../../connector-sdk-testing/dist/index.js";
import { DEFAULT_ACCOUNT_ID, DEFAULT_API_TOKEN, SentinelOneSimulator } from "../../dist-dev/simulator/index.js";
import { driftedIocs } from "../../dist-dev/tools/reconcile-drift.js";

const count = Number(process.argv[2] ?? 100_000);
const issueMix = process.argv[3] === "issue";
const rpm = Number(process.argv[4] ?? 30);
const STREAM = "scale-stream";
const TOKEN = "scale-octi-token";
const SOURCE = "OpenCTI";

const octi = new OpenCtiSimulator({ token: TOKEN, streams: [{ id: STREAM }], idleHeartbeatsAdvance: true });
await octi.start();
const now = new Date();
const feed = syntheticIndicatorFeed({ count, seed: "reconcile-scale", now });
octi.addSyntheticFeed(feed, STREAM);

const s1 = new SentinelOneSimulator();
const s1Url = await s1.start();
const chunks = driftedIocs({
  count,
  indicator: (i) => feed.make(i).data,
  mix: issueMix ? "issue" : "light",
  source: SOURCE,
  now: now.getTime(),
});
for (;;) {
  const next = chunks.next();
  if (next.done) break;
  s1.console.add(next.value);
}
if (issueMix && rpm > 0) s1.setRateLimit({ requestsPerMinute: rpm, retryAfter: "seconds", body: "html" });
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
