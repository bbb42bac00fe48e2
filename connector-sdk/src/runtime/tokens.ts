/**
 * The SDK's own services in the run's tsyringe container, under typed tokens: `provide` and `resolveToken` only
 * accept a value of the token's type, so a token cannot be registered as one thing and injected as another.
 * Internal to the SDK: connectors receive a typed `PluginContext` instead (decision 0014).
 */
import { type DependencyContainer, type InjectionToken, instanceCachingFactory } from "tsyringe";
import type { BaseConfig } from "../config/types.js";
import type { HttpAgents } from "../http/types.js";
import type { Logger } from "../logging/types.js";
import type { Metrics } from "../metrics/types.js";
import type { OpenCtiClient } from "../opencti/client.js";
import type { EventDeadLetter } from "./dead-letter.js";
import type { Lifecycle } from "./lifecycle.js";

/** What a run holds for the connector; `createPluginContext` turns it into the connector's context. */
export interface RunServices {
  readonly config: BaseConfig;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly agents: HttpAgents;
  /** Every secret value of the config, scrubbed from dead-letter files. */
  readonly secrets: readonly string[];
  readonly lifecycle: Lifecycle;
}

/** An injection token that carries the type of what is registered under it. */
export type Token<T> = InjectionToken<T> & symbol & { readonly __type?: T };

function token<T>(name: string): Token<T> {
  const symbol: symbol & { readonly __type?: T } = Symbol(name);
  return symbol;
}

export const TOKENS = {
  Config: token<BaseConfig>("octi.Config"),
  Logger: token<Logger>("octi.Logger"),
  Metrics: token<Metrics>("octi.Metrics"),
  HttpAgents: token<HttpAgents>("octi.HttpAgents"),
  /** Every secret value of the config, for scrubbing. */
  Secrets: token<readonly string[]>("octi.Secrets"),
  Lifecycle: token<Lifecycle>("octi.Lifecycle"),
  OpenCtiClient: token<OpenCtiClient>("octi.OpenCtiClient"),
  EventDeadLetter: token<EventDeadLetter>("octi.EventDeadLetter"),
  /** The services above, as `createPluginContext` takes them. */
  Services: token<RunServices>("octi.Services"),
} as const;

/** Registers a factory, called once per container on first use. */
export function provide<T>(container: DependencyContainer, key: Token<T>, factory: (c: DependencyContainer) => T) {
  container.register<T>(key, { useFactory: instanceCachingFactory<T>(factory) });
}

export function resolveToken<T>(container: DependencyContainer, key: Token<T>): T {
  return container.resolve<T>(key);
}
