/**
 * The `__SNAKE_NAME__` config namespace: env `__ENV_PREFIX___<KEY>`, config.yml `__SNAKE_NAME__: { key }`.
 * This schema is the single source of truth: the SDK merges it with `opencti` / `connector`, validates and coerces
 * values, redacts `writeOnly` ones in logs, and `npm run metadata` generates `__metadata__/` docs from it.
 * Add your settings here (with a description, and a default when one makes sense), then in the interface below.
 */
import type { BaseConfig, NamespaceSchema } from "@octi/connector-sdk";

export const NAMESPACE = "__SNAKE_NAME__";

export const configSchema: NamespaceSchema = {
  type: "object",
  properties: {
    api_url: {
      type: "string",
      format: "uri",
      description: "Base URL of the __TITLE__ API, e.g. https://api.example.com (a trailing / is ignored).",
    },
    api_key: {
      type: "string",
      writeOnly: true,
      minLength: 1,
      description: "__TITLE__ API key, sent as a bearer token.",
    },
    request_timeout: {
      type: "number",
      default: 30,
      minimum: 1,
      description: "Seconds before a request to the __TITLE__ API is abandoned.",
    },
    ssl_verify: {
      type: "boolean",
      default: true,
      description: "Verify the __TITLE__ API's TLS certificate.",
    },
  },
  required: ["api_url", "api_key"],
};

/** The resolved `__SNAKE_NAME__` namespace (defaults applied, types coerced by the SDK loader). */
export interface __PASCAL_NAME__Settings {
  readonly api_url: string;
  readonly api_key: string;
  readonly request_timeout: number;
  readonly ssl_verify: boolean;
}

export interface __PASCAL_NAME__Config extends BaseConfig {
  readonly __SNAKE_NAME__: __PASCAL_NAME__Settings;
}
