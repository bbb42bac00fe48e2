/** `@octi/bench`: the benchmark's orchestration, for the CLI and the test. */
export { type ChurnRun, type ChurnSpec, type PhaseRequests, runChurn } from "./churn.js";
export {
  buildChurnFeed,
  type ChurnCheck,
  type ChurnFeed,
  checkChurn,
  type ExpectedIoc,
  fateOf,
} from "./churn-workload.js";
export { cleanEnv, connectorEnv, startConnectorProcess } from "./connector.js";
export { percentile, summarize } from "./measure.js";
export {
  type BenchOptions,
  commandLine,
  DEFAULT_OPTIONS,
  parseBenchArgs,
  QUICK_OPTIONS,
  SECTIONS,
  type Section,
  USAGE,
  UsageError,
} from "./options.js";
export { BUILT, missingBuiltFiles, REPO_ROOT } from "./paths.js";
export { readProc } from "./proc.js";
export { areaOf, type ProfileSummary, summarizeProfile } from "./profile.js";
export { evaluateTargets, renderMarkdown, renderTable, TARGETS, type TargetCheck } from "./report.js";
export type { BenchResults, ChurnResult } from "./results.js";
export { buildPackages, connectorDefaults, runBench } from "./run.js";
export type { BackfillRun, LiveRun } from "./scenarios.js";
export { composition, planChunk } from "./workload.js";
