/**
 * A complete connector (the SDK README shows this file): each indicator event is POSTed to a webhook as JSON.
 * `runMain(webhook)` in a `main.ts` makes it a process; test/examples/minimal.test.ts runs it on the OpenCTI simulator.
 */
import axios from "axios";
import { definePlugin, FatalConnectorError, type NamespaceSchema, type StreamEventHandler } from "../src/index.js";

/** `WEBHOOK_URL`, `WEBHOOK_TOKEN`, `WEBHOOK_TIMEOUT` (or `webhook: { url, … }` in config.yml). */
const configSchema = {
  type: "object",
  properties: {
    url: { type: "string", format: "uri", description: "Where each indicator event is POSTed as JSON." },
    token: { type: "string", writeOnly: true, minLength: 1, description: "Bearer token the webhook expects." },
    timeout: { type: "number", default: 10, minimum: 1, description: "Seconds before a request is abandoned." },
  },
  required: ["url", "token"],
} as const satisfies NamespaceSchema;

export const webhook = definePlugin({
  manifest: { slug: "webhook", namespace: "webhook", version: "1.0.0", connectorDefaults: { name: "Webhook" } },
  configSchema,
  // `values` is typed from the schema: url and token are strings, timeout a number (its default applied).
  resolve: (values) => ({ url: values.url.trim(), token: values.token, timeoutMs: values.timeout * 1000 }),
  createHandler: ({ settings, logger, metrics, agents }): StreamEventHandler => {
    const sent = metrics.counter("webhook_events_sent_total", "Indicator events the webhook accepted", ["event"]);
    const agent = agents.forUrl(settings.url, { verify: true }); // proxies (HTTPS_PROXY, NO_PROXY) and TLS
    const http = axios.create({
      timeout: settings.timeoutMs,
      proxy: false,
      httpAgent: agent,
      httpsAgent: agent,
      headers: { Authorization: `Bearer ${settings.token}` },
      validateStatus: () => true,
    });
    return {
      async start() {
        logger.info("Posting indicator events", { url: settings.url });
      },
      async handle(event) {
        if (event.data.type !== "indicator") return; // acknowledged at once
        const { id, name, pattern } = event.data;
        const { status } = await http.post(settings.url, { event: event.event, id, name, pattern });
        // A refused token will not get better: stop the run (the event is replayed after a restart).
        if (status === 401 || status === 403)
          throw new FatalConnectorError(`the webhook refused the token (${status})`);
        // Any other failure throws: the SDK retries the event, then writes it to its dead-letter file.
        if (status >= 300) throw new Error(`the webhook answered ${status}`);
        sent.inc({ event: event.event });
      },
    };
  },
});
