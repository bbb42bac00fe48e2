#!/usr/bin/env node
/**
 * Process entry point (`node connectors/__SLUG__/dist/main.js`): reads the config (env, then config.yml, then
 * .env, then defaults), runs the connector, and stops gracefully on SIGTERM / SIGINT.
 */
import { fileURLToPath } from "node:url";
import { runMain } from "@octi/connector-sdk";
import { plugin } from "./index.js";

runMain(plugin, { packageDir: fileURLToPath(new URL("..", import.meta.url)) });
