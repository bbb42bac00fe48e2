#!/usr/bin/env node
/** `npm run replay -- <file>`: see replay.ts. */
import { runCli } from "#src/tools/args.js";
import { replayCli } from "./replay.js";

runCli("replay", replayCli);
