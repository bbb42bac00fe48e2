/**
 * A minimal PNG encoder (8-bit RGBA, no interlace) and the default catalog logo drawn with it. The logo is shipped
 * as `scripts/assets/default-logo.png`; `node scripts/dist/png.js <out>` (or `drawDefaultLogo`) redraws it.
 */
import { writeFileSync } from "node:fs";
import { deflateSync } from "node:zlib";
import { isMain } from "./cli.js";

export const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 (ISO-HDLC), as PNG chunks use. */
export function crc32(data: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of data) crc = (CRC_TABLE[(crc ^ byte) & 0xff] ?? 0) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** Encodes `rgba` (width × height × 4 bytes, row by row) as a PNG file. */
export function encodePng(width: number, height: number, rgba: Uint8Array): Buffer {
  if (rgba.length !== width * height * 4) throw new Error(`expected ${width * height * 4} bytes, got ${rgba.length}`);
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 6; // colour type: RGBA
  header[10] = 0; // compression: deflate
  header[11] = 0; // filter method
  header[12] = 0; // no interlace
  const raw = Buffer.alloc((width * 4 + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (width * 4 + 1)] = 0; // filter type: none
    Buffer.from(rgba.buffer, rgba.byteOffset + y * width * 4, width * 4).copy(raw, y * (width * 4 + 1) + 1);
  }
  return Buffer.concat([
    PNG_SIGNATURE,
    chunk("IHDR", header),
    chunk("IDAT", deflateSync(raw, { level: 9 })),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

export const DEFAULT_LOGO_SIZE = 64;

/** A 64×64 logo: a blue disc with three white "stream" bars, transparent around it. */
export function drawDefaultLogo(): Buffer {
  const size = DEFAULT_LOGO_SIZE;
  const pixels = new Uint8Array(size * size * 4);
  const centre = (size - 1) / 2;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const offset = (y * size + x) * 4;
      if (Math.hypot(x - centre, y - centre) > size / 2 - 1) continue;
      const bar = [20, 30, 40].some((top) => y >= top && y < top + 5) && x >= 14 && x < 50;
      const [r, g, b] = bar ? [255, 255, 255] : [0x1d, 0x4e, 0xd8];
      pixels.set([r, g, b, 255], offset);
    }
  }
  return encodePng(size, size, pixels);
}

if (isMain(import.meta.url)) {
  const out = process.argv[2];
  if (!out) {
    process.stderr.write("Usage: node scripts/dist/png.js <out.png>\n");
    process.exitCode = 2;
  } else {
    writeFileSync(out, drawDefaultLogo());
  }
}
