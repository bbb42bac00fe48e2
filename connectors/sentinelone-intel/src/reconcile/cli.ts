#!/usr/bin/env node
/** `npm run reconcile`: see command.ts. Ctrl-C stops the run (nothing is half-written: it only reads). */
import { runCli } from "../tools/args.js";
import { reconcileCli } from "./command.js";

const controller = new AbortController();
process.once("SIGINT", () => controller.abort());
process.once("SIGTERM", () => controller.abort());
// The progress bar is drawn on stderr when it is a terminal (stdout may be the --json report).
runCli("reconcile", (argv, io) => reconcileCli(argv, { ...io, progress: process.stderr }, controller.signal));
