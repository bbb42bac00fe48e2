/**
 * The run's container: the SDK's services as values and factories under typed tokens, one child container per run
 * (so runs in one process share nothing), and the connector's context built from them.
 */
import { type DependencyContainer, container as root } from "tsyringe";
import type { OpenCtiClient } from "../opencti/client.js";
import { SinkQueue } from "../sink/sink-queue.js";
import { TargetIndex } from "../target-index/target-index.js";
import { EventDeadLetter, JsonLinesFile } from "./dead-letter.js";
import type { PluginContext } from "./plugin.js";
import { provide, type RunServices, resolveToken, TOKENS } from "./tokens.js";

/** The context `createHandler` receives (the runner builds it; a plugin's unit tests may too). */
export function createPluginContext<R>(services: RunServices & { readonly settings: R }): PluginContext<R> {
  const { settings, config, logger, metrics, agents, lifecycle, secrets } = services;
  return {
    settings,
    config,
    logger,
    metrics,
    agents,
    lifecycle,
    deadLetter: (path) => new JsonLinesFile(path, secrets),
    targetIndex: (options) => TargetIndex.open(options),
    sinkQueue: ({ target, index, options, now }) =>
      new SinkQueue({ target, openIndex: () => TargetIndex.open(index), options, logger, metrics, lifecycle, now }),
  };
}

/** One child container per run (runs in one process share nothing): the SDK's services under typed tokens. */
export function runContainer(services: RunServices & { readonly client: OpenCtiClient }): DependencyContainer {
  const c = root.createChildContainer();
  provide(c, TOKENS.Config, () => services.config);
  provide(c, TOKENS.Logger, () => services.logger);
  provide(c, TOKENS.Metrics, () => services.metrics);
  provide(c, TOKENS.HttpAgents, () => services.agents);
  provide(c, TOKENS.Secrets, () => services.secrets);
  provide(c, TOKENS.Lifecycle, () => services.lifecycle);
  provide(c, TOKENS.OpenCtiClient, () => services.client);
  provide(
    c,
    TOKENS.EventDeadLetter,
    (r) =>
      new EventDeadLetter(resolveToken(r, TOKENS.Config).connector.dead_letter_path, resolveToken(r, TOKENS.Secrets)),
  );
  provide(c, TOKENS.Services, (r) => ({
    config: resolveToken(r, TOKENS.Config),
    logger: resolveToken(r, TOKENS.Logger),
    metrics: resolveToken(r, TOKENS.Metrics),
    agents: resolveToken(r, TOKENS.HttpAgents),
    secrets: resolveToken(r, TOKENS.Secrets),
    lifecycle: resolveToken(r, TOKENS.Lifecycle),
  }));
  return c;
}
