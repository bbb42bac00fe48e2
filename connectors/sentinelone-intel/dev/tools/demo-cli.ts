#!/usr/bin/env node
/** `npm run demo [-- --size N] [--rate-limit RPM] [--quiet]`: see demo.ts. Exit 0 only when SentinelOne holds exactly the expected IOCs. */
import { runCli } from "#src/tools/args.js";
import { demoCli } from "./demo.js";

runCli("demo", (argv, io) => demoCli(argv, { ...io, progress: process.stdout }));
