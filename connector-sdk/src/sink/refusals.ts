/**
 * How a sink treats a failed `HttpTargetError` request (see http/target-error.ts for the kinds): retry what is
 * worth retrying (a 429 paces the queue down and cannot have landed; a timeout or 5xx may have), refuse content
 * the target refused (the queue dead-letters the named items or bisects the batch), stop on anything else.
 * A connector adds its policy through the hooks: which items a refusal names, what to tell the operator.
 */
import { HttpTargetError } from "../http/target-error.js";
import type { FailureClass } from "./types.js";

export interface RefusalPolicy {
  /** The target's name at the start of fatal messages. */
  readonly name: string;
  /** What the credentials are called in the fatal message of a 401/403 (default `credentials`). */
  readonly credentials?: string;
  /** The indices of the create's items a refusal names (empty: not said, the queue bisects). */
  readonly itemIndices?: (error: HttpTargetError) => readonly number[];
  /** Appended to the fatal message of a 401/403, e.g. which setting holds the credentials. */
  readonly authHint?: string;
  /** Appended to the fatal message of an unexpected answer (404, 3xx …), e.g. which setting holds the URL. */
  readonly otherHint?: string;
}

export function classifyHttpFailure(error: unknown, policy: RefusalPolicy): FailureClass {
  if (!(error instanceof HttpTargetError)) {
    const text = error instanceof Error ? error.message : String(error);
    return { kind: "fatal", message: `${policy.name} request failed unexpectedly: ${text}` };
  }
  if (error.retryable) {
    return {
      kind: "retry",
      reason: error.message,
      mayHaveLanded: !error.notSent,
      rateLimited: error.kind === "rate_limited",
      ...(error.retryAfterMs !== undefined ? { retryAfterMs: error.retryAfterMs } : {}),
    };
  }
  if (error.kind === "invalid") {
    return {
      kind: "refused",
      reason: error.message,
      itemIndices: policy.itemIndices?.(error) ?? [],
      ...(error.status !== undefined ? { status: error.status } : {}),
    };
  }
  const hint = (text: string | undefined) => (text ? `: ${text}` : "");
  if (error.kind === "auth") {
    const title = error.errors[0]?.title ? ` ${error.errors[0].title}` : "";
    return {
      kind: "fatal",
      message: `${policy.name} rejected the ${policy.credentials ?? "credentials"} (${error.status ?? "?"}${title}) on ${error.method} ${error.path}${hint(policy.authHint)}`,
    };
  }
  return { kind: "fatal", message: `${policy.name} answered unexpectedly (${error.message})${hint(policy.otherHint)}` };
}
