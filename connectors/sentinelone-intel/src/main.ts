#!/usr/bin/env node
/** Process entry point: `node dist/main.js` (the `sentinelone-intel` bin). */
import { fileURLToPath } from "node:url";
import { runMain } from "@octi/connector-sdk";
import { plugin } from "./index.js";

runMain(plugin, { packageDir: fileURLToPath(new URL("..", import.meta.url)) });
