/** Errors of the OpenCTI API client. Messages never carry the token. */

export type OpenCtiErrorKind =
  /** Bad or missing token (GraphQL AUTH_REQUIRED / HTTP 401). Retrying cannot help. */
  | "auth"
  /** The token's user lacks a capability (FORBIDDEN_ACCESS). Retrying cannot help. */
  | "forbidden"
  /** The platform is down, starting, or behind a failing proxy (network error, 5xx). Retry. */
  | "unavailable"
  /** The document or input was refused (validation, functional error). */
  | "rejected";

export class OpenCtiApiError extends Error {
  override readonly name = "OpenCtiApiError";
  constructor(
    message: string,
    readonly kind: OpenCtiErrorKind,
    readonly status?: number,
    readonly code?: string,
  ) {
    super(message);
  }

  get retryable(): boolean {
    return this.kind === "unavailable";
  }
}
