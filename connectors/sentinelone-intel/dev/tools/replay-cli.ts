#!/usr/bin/env node
/** `npm run replay -- <file>`: see replay.ts. */
import "reflect-metadata";
import { runCli } from "#src/tools/args.js";
import { replayCli } from "./replay.js";

runCli("replay", replayCli);
