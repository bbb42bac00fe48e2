import { readFileSync } from "node:fs";
import { inflateSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { DEFAULT_LOGO_PATH } from "../src/manifest.js";
import { crc32, DEFAULT_LOGO_SIZE, drawDefaultLogo, encodePng, PNG_SIGNATURE } from "../src/png.js";

interface Chunk {
  readonly type: string;
  readonly data: Buffer;
  readonly crcOk: boolean;
}

/** Splits a PNG into chunks, checking each CRC. */
function chunks(png: Buffer): Chunk[] {
  expect(png.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
  const out: Chunk[] = [];
  let offset = 8;
  while (offset < png.length) {
    const length = png.readUInt32BE(offset);
    const body = png.subarray(offset + 4, offset + 8 + length);
    const crc = png.readUInt32BE(offset + 8 + length);
    out.push({ type: body.subarray(0, 4).toString("ascii"), data: body.subarray(4), crcOk: crc === crc32(body) });
    offset += 12 + length;
  }
  return out;
}

function pixels(png: Buffer): Buffer {
  return inflateSync(
    Buffer.concat(
      chunks(png)
        .filter((c) => c.type === "IDAT")
        .map((c) => c.data),
    ),
  );
}

describe("PNG encoder", () => {
  it("computes the standard CRC-32", () => {
    expect(crc32(Buffer.from("123456789"))).toBe(0xcbf43926);
  });

  it("writes signature, IHDR, IDAT and IEND with valid CRCs", () => {
    const png = encodePng(2, 1, new Uint8Array([255, 0, 0, 255, 0, 0, 255, 128]));
    const parts = chunks(png);
    expect(parts.map((c) => c.type)).toEqual(["IHDR", "IDAT", "IEND"]);
    expect(parts.every((c) => c.crcOk)).toBe(true);
    const header = parts[0]!.data;
    expect([header.readUInt32BE(0), header.readUInt32BE(4), header[8], header[9]]).toEqual([2, 1, 8, 6]);
    expect([...pixels(png)]).toEqual([0, 255, 0, 0, 255, 0, 0, 255, 128]);
  });

  it("refuses pixel data of the wrong size", () => {
    expect(() => encodePng(2, 2, new Uint8Array(4))).toThrow(/expected 16 bytes/);
  });
});

describe("the shipped default logo", () => {
  const shipped = readFileSync(DEFAULT_LOGO_PATH);

  it("is a valid 64×64 RGBA PNG", () => {
    const parts = chunks(shipped);
    expect(parts.every((c) => c.crcOk)).toBe(true);
    expect(parts.at(-1)?.type).toBe("IEND");
    expect(parts[0]?.data.readUInt32BE(0)).toBe(DEFAULT_LOGO_SIZE);
    expect(pixels(shipped)).toHaveLength((DEFAULT_LOGO_SIZE * 4 + 1) * DEFAULT_LOGO_SIZE);
  });

  it("holds the pixels drawDefaultLogo draws (regenerate it with node scripts/dist/png.js scripts/assets/default-logo.png)", () => {
    expect(pixels(shipped).equals(pixels(drawDefaultLogo()))).toBe(true);
  });
});
