/**
 * Reading a few values out of a large JSON answer without decoding and parsing all of it (a create echo of
 * 0.5 MB, of which a connector needs each record's id). Inside a JSON string a quote is escaped, so the byte
 * pattern `"<field>"` followed by `:` is always a key.
 */

/** The string values of every `"<field>": "…"` in a JSON text, in order (`undefined` for a non-string or escaped value). */
export function scanJsonStrings(buffer: Buffer, field: string): (string | undefined)[] {
  const needle = Buffer.from(`"${field}"`);
  const values: (string | undefined)[] = [];
  let at = buffer.indexOf(needle);
  while (at >= 0) {
    let i = skipJsonSpace(buffer, at + needle.length);
    let next = i;
    if (buffer[i] === 0x3a) {
      i = skipJsonSpace(buffer, i + 1);
      if (buffer[i] === 0x22) {
        const end = buffer.indexOf(0x22, i + 1);
        if (end < 0) break;
        const raw = buffer.toString("utf8", i + 1, end);
        values.push(raw.includes("\\") ? undefined : raw);
        next = end + 1;
      } else values.push(undefined);
    }
    at = buffer.indexOf(needle, next);
  }
  return values;
}

/** The index of the first byte at or after `from` that is not JSON white space. */
export function skipJsonSpace(buffer: Buffer, from: number): number {
  let i = from;
  while (buffer[i] === 0x20 || buffer[i] === 0x0a || buffer[i] === 0x0d || buffer[i] === 0x09) i++;
  return i;
}
