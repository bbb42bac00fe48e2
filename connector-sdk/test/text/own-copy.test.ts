import { describe, expect, it } from "vitest";
import { ownCopy } from "../../src/text/own-copy.js";

describe("ownCopy", () => {
  it("returns the same text (ASCII ids, accents, emoji), taken out of a larger string", () => {
    const chunk = `id: 1700000000000-42\nevent: create\ndata: {"name":"Évian 🍎 domain"}\n\n${"x".repeat(65_536)}`;
    const id = chunk.slice(4, chunk.indexOf("\n"));
    expect(ownCopy(id)).toBe("1700000000000-42");
    const name = chunk.slice(chunk.indexOf("Évian"), chunk.indexOf(" domain"));
    expect(ownCopy(name)).toBe("Évian 🍎");
    expect(ownCopy("")).toBe("");
  });
});
