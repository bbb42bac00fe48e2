/**
 * The fields a reconciliation compares, declared as data, each reduced to one number so that 100,000 expected
 * records fit in a few MB: text and sets become 32-bit hashes (a collision could hide a change, odds 1 in 4 billion
 * per record; it can never invent drift), numbers stay (absent: -1), instants become epoch ms (absent: NaN).
 */

export type FieldKind = "text" | "set" | "number" | "instant";

export interface ComparedField<T, Rec> {
  readonly name: string;
  readonly kind: FieldKind;
  readonly read: (item: T) => unknown;
  /** Equal unless said otherwise; e.g. a date the target clamped, read from the record. */
  readonly inSync?: (expected: number, actual: number, record: Rec) => boolean;
}

/** FNV-1a, 32 bits, as a signed int32. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h | 0;
}

/** Absent, null and "" are the same text; a set ignores order, repeats and empty members. */
export function fieldValue(kind: FieldKind, value: unknown): number {
  switch (kind) {
    case "text":
      return hash(typeof value === "string" ? value : "");
    case "set": {
      const members = Array.isArray(value) ? value.filter((m): m is string => typeof m === "string" && m !== "") : [];
      return hash([...new Set(members)].sort().join("\u0000"));
    }
    case "number":
      return typeof value === "number" && Number.isFinite(value) ? value : -1;
    case "instant":
      return typeof value === "string" ? Date.parse(value) : Number.NaN;
  }
}

export const fieldValues = <T, Rec>(fields: readonly ComparedField<T, Rec>[], item: T): number[] =>
  fields.map((f) => fieldValue(f.kind, f.read(item)));

/** Bit i set when `fields[i]` differs (0 = in sync). */
export function staleMask<T, Rec extends T>(
  fields: readonly ComparedField<T, Rec>[],
  expected: readonly number[],
  record: Rec,
): number {
  let mask = 0;
  fields.forEach((field, i) => {
    const want = expected[i] ?? Number.NaN;
    const got = fieldValue(field.kind, field.read(record));
    if (!(field.inSync ? field.inSync(want, got, record) : want === got)) mask |= 1 << i;
  });
  return mask;
}
