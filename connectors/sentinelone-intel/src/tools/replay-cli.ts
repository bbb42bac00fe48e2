#!/usr/bin/env node
/** `npm run replay -- <file>`: see replay.ts. */
import { runCli } from "./args.js";
import { replayCli } from "./replay.js";

runCli("replay", replayCli);
