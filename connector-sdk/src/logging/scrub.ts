/** Replaces every occurrence of a secret (and the usual prefixed/case variants) by `[REDACTED]`. */
export function scrubSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length < 4) continue; // too short to scrub without mangling ordinary text
    out = replaceAllInsensitive(out, secret);
  }
  return out;
}

function replaceAllInsensitive(text: string, secret: string): string {
  const lowerText = text.toLowerCase();
  const lowerSecret = secret.toLowerCase();
  let index = lowerText.indexOf(lowerSecret);
  if (index < 0) return text;
  let result = "";
  let from = 0;
  while (index >= 0) {
    result += `${text.slice(from, index)}[REDACTED]`;
    from = index + secret.length;
    index = lowerText.indexOf(lowerSecret, from);
  }
  return result + text.slice(from);
}

/** Deep copy of a log attribute value with secrets scrubbed and Errors made plain. */
export function scrubValue(value: unknown, secrets: readonly string[], depth = 0): unknown {
  if (depth > 8) return "[too deep]";
  if (typeof value === "string") return scrubSecrets(value, secrets);
  if (value instanceof Error) {
    return {
      name: value.name,
      message: scrubSecrets(value.message, secrets),
      ...(value.stack ? { stack: scrubSecrets(value.stack, secrets) } : {}),
    };
  }
  if (Array.isArray(value)) return value.map((v) => scrubValue(v, secrets, depth + 1));
  if (typeof value === "object" && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[scrubSecrets(k, secrets)] = scrubValue(v, secrets, depth + 1);
    return out;
  }
  return value;
}
