/**
 * tsyringe's decorators, with the Reflect polyfill loaded first: tsyringe throws at import time without it, and a
 * connector module may be imported (tests, the dry-run tool) before the SDK barrel that also loads it.
 */
import "reflect-metadata";

export { inject, injectable } from "tsyringe";
