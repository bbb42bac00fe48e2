/** The message of anything thrown (an `Error`'s message; a thrown string or value as text), for logs and errors. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
