import { compareStreamIds } from "@octi/connector-sdk";
import { describe, expect, it } from "vitest";
import { compareIds } from "../src/event-log.js";

describe("simulator stream ids", () => {
  it("order as Redis does (ms, then sequence, numerically), as the SDK's own reading does", () => {
    const ids = ["1700000000000-10", "1700000000000-9", "999-0", "1700000000001-0", "junk", "1700000000000-0"];
    const sorted = [...ids].sort(compareIds);
    expect(sorted).toEqual([
      "junk",
      "999-0",
      "1700000000000-0",
      "1700000000000-9",
      "1700000000000-10",
      "1700000000001-0",
    ]);
    // Written apart on purpose (the simulator must not borrow the client's logic), they must still agree.
    expect([...ids].sort(compareStreamIds)).toEqual(sorted);
  });
});
