#!/usr/bin/env node
/** `npm run config:check [-- --connect]`: see config-check.ts. */
import { runCli } from "./args.js";
import { configCheckCli } from "./config-check.js";

runCli("config:check", configCheckCli);
