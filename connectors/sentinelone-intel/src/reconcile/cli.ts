#!/usr/bin/env node
/** `npm run reconcile [-- --apply] [--json]`: the SDK's command on SentinelOne (spec.ts). */
import { fileURLToPath } from "node:url";
import { reconcileMain } from "@octi/connector-sdk";
import { reconcileSpec } from "./spec.js";

reconcileMain(reconcileSpec, fileURLToPath(new URL("../..", import.meta.url)));
