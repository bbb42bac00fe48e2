/**
 * The `__SNAKE_NAME__` config namespace: env `__ENV_PREFIX___<KEY>`, config.yml `__SNAKE_NAME__: { key }`.
 * This schema is the single source of truth: the SDK merges it with `opencti` / `connector`, validates and coerces
 * values, redacts `writeOnly` ones in logs, and `npm run metadata` generates `__metadata__/` docs from it.
 * Add your settings here (with a description, and a default when one makes sense): their type follows.
 */
import type { BaseConfig, FromSchema, NamespaceSchema } from "@octi/connector-sdk";

export const NAMESPACE = "__SNAKE_NAME__";

export const configSchema = {
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
    batch_size: {
      type: "integer",
      default: 100,
      minimum: 1,
      description: "Most items in one create request.",
    },
    batch_flush_interval: {
      type: "number",
      default: 2,
      minimum: 0,
      description:
        "Seconds the oldest pending change waits for more before a partial batch is sent (sent at once when the stream waits for acknowledgements).",
    },
    max_pending: {
      type: "integer",
      default: 10000,
      minimum: 1,
      description: "Objects with changes not yet sent before the connector stops reading the stream (back-pressure).",
    },
    requests_per_minute: {
      type: "integer",
      default: 0,
      minimum: 0,
      description: "Requests per minute the __TITLE__ API allows (0: not paced; 429 answers are honoured either way).",
    },
    data_dir: {
      type: "string",
      default: "data",
      minLength: 1,
      description:
        "Directory of the connector's durable state: the index of what it holds in __TITLE__ (rebuilt by a listing when lost) and refused.jsonl (items __TITLE__ refused). Keep it on a volume.",
    },
  },
  required: ["api_url", "api_key"],
} as const satisfies NamespaceSchema;

/** The `__SNAKE_NAME__` namespace as the SDK loads it (defaults applied, types coerced): derived from the schema. */
export type __PASCAL_NAME__Settings = FromSchema<typeof configSchema>;

export interface __PASCAL_NAME__Config extends BaseConfig {
  readonly __SNAKE_NAME__: __PASCAL_NAME__Settings;
}
