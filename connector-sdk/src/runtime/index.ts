export { JsonLinesFile } from "./dead-letter.js";
export { type MainOptions, runMain } from "./main.js";
export * from "./plugin.js";
export { type LoadedPluginConfig, loadPluginConfig } from "./plugin-config.js";
export {
  type ProgressDisplay,
  type ProgressDisplayOptions,
  type ProgressState,
  progressText,
  reportInProgress,
  startProgressDisplay,
} from "./progress.js";
export { type ConnectorRun, type RunResult, type StartOptions, startConnector } from "./runner.js";
export { createPluginContext } from "./services.js";
export type { StateCadence } from "./state-pusher.js";
export type { RunServices } from "./tokens.js";
