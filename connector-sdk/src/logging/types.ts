/** Structured logger with pycti's method names. Attributes become the JSON line's `attributes`. */
export interface Logger {
  debug(message: string, attributes?: Readonly<Record<string, unknown>>): void;
  info(message: string, attributes?: Readonly<Record<string, unknown>>): void;
  warning(message: string, attributes?: Readonly<Record<string, unknown>>): void;
  error(message: string, attributes?: Readonly<Record<string, unknown>>): void;
  /** A logger with another `name` (pycti: `api` for client internals, the connector name otherwise). */
  child(name: string): Logger;
}
