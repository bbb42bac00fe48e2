#!/usr/bin/env node
/** `npm run replay -- <file>`: see replay.ts. */
import "reflect-metadata";
import { runCli } from "./args.js";
import { replayCli } from "./replay.js";

runCli("replay", replayCli);
