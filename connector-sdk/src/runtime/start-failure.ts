/**
 * The cause of a start-up failure. tsyringe wraps an error thrown while building a class in "Cannot inject the
 * dependency … Reason:" once per level of the dependency chain; the operator needs the innermost reason.
 */
export function startFailure(error: unknown): string {
  const message = (error as Error)?.message ?? String(error);
  const marker = message.lastIndexOf("Reason:");
  if (!message.startsWith("Cannot inject the dependency") || marker < 0) return message;
  const reason = message.slice(marker + "Reason:".length).trim();
  return reason === "" ? message : reason;
}
