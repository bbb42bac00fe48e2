/** Redis stream ids as OpenCTI uses them: `<ms>-<seq>`, strictly increasing along a stream. */

export interface ParsedStreamId {
  readonly ms: number;
  readonly seq: number;
}

const STREAM_ID = /^(\d{1,16})-(\d{1,16})$/;

export function parseStreamId(id: string): ParsedStreamId | undefined {
  const match = STREAM_ID.exec(id);
  if (!match) return undefined;
  return { ms: Number(match[1]), seq: Number(match[2]) };
}

/** Orders two stream ids; an id that does not parse sorts before every valid one. */
export function compareStreamIds(a: string, b: string): number {
  const pa = parseStreamId(a);
  const pb = parseStreamId(b);
  if (!pa || !pb) return pa ? 1 : pb ? -1 : 0;
  return pa.ms !== pb.ms ? pa.ms - pb.ms : pa.seq - pb.seq;
}
