import { describe, expect, it } from "vitest";
import {
  deriveNames,
  fillPlaceholders,
  leftoverPlaceholders,
  PLACEHOLDERS,
  placeholderValues,
  slugProblems,
  titleProblems,
} from "../src/naming.js";

describe("slug validation", () => {
  it.each(["acme", "acme-intel", "acme-threat-intel-2", "a1"])("accepts %s", (slug) => {
    expect(slugProblems(slug)).toEqual([]);
  });

  it.each([
    { slug: "", problem: /empty/ },
    { slug: "Acme", problem: /\^\[a-z0-9-\]\+\$.*did you mean 'acme'/ },
    { slug: "acme_intel", problem: /\^\[a-z0-9-\]\+\$/ },
    { slug: "acme intel", problem: /\^\[a-z0-9-\]\+\$/ },
    { slug: "-acme", problem: /start or end with '-'/ },
    { slug: "acme-", problem: /start or end with '-'/ },
    { slug: "1password", problem: /start with a letter/ },
    { slug: "acme--intel", problem: /'--'/ },
  ])("refuses '$slug'", ({ slug, problem }) => {
    const problems = slugProblems(slug);
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.join("\n")).toMatch(problem);
  });

  it("refuses titles that would break the JSON, YAML or TS they are written into", () => {
    expect(titleProblems("Acme Threat Intel (v2)")).toEqual([]);
    expect(titleProblems('Acme "Intel"')).not.toEqual([]);
    expect(titleProblems("Acme\nIntel")).not.toEqual([]);
    expect(titleProblems("")).not.toEqual([]);
  });
});

describe("derived names", () => {
  it("derives every form from the slug", () => {
    expect(deriveNames("acme-threat-intel")).toEqual({
      slug: "acme-threat-intel",
      pascalName: "AcmeThreatIntel",
      snakeName: "acme_threat_intel",
      envPrefix: "ACME_THREAT_INTEL",
      title: "Acme Threat Intel",
      aTitle: "an Acme Threat Intel",
      imageName: "octi-ts/connector-acme-threat-intel",
    });
  });

  it.each([
    ["acme-edr", "Acme EDR", "an Acme EDR"],
    ["edr-bridge", "EDR Bridge", "an EDR Bridge"],
    ["cti-feed", "CTI Feed", "a CTI Feed"],
    ["siem-sink", "SIEM Sink", "a SIEM Sink"],
    ["xdr", "XDR", "an XDR"],
    ["unified-intel", "Unified Intel", "a Unified Intel"],
    ["hourly-sync", "Hourly Sync", "an Hourly Sync"],
    ["misp-export", "MISP Export", "a MISP Export"],
    ["bolt", "Bolt", "a Bolt"],
  ])("titles %s as %j (%j): acronyms kept, the article by the first sound", (slug, title, aTitle) => {
    expect(deriveNames(slug)).toMatchObject({ title, aTitle });
  });

  it("keeps an explicit title", () => {
    expect(deriveNames("sentinelone-intel", "SentinelOne Intel").title).toBe("SentinelOne Intel");
  });
});

describe("placeholders", () => {
  const values = placeholderValues(deriveNames("acme-intel"));

  it("no placeholder contains another, so the replacement order cannot matter", () => {
    for (const a of PLACEHOLDERS) for (const b of PLACEHOLDERS) if (a !== b) expect(a.includes(b)).toBe(false);
  });

  it("fills tokens, including one glued to a suffix", () => {
    expect(fillPlaceholders("__ENV_PREFIX___API_KEY=ChangeMe", values)).toBe("ACME_INTEL_API_KEY=ChangeMe");
    expect(fillPlaceholders("class Http__PASCAL_NAME__Client", values)).toBe("class HttpAcmeIntelClient");
    expect(fillPlaceholders("__SNAKE_NAME__: __TITLE__ (__IMAGE_NAME__, __SLUG__)", values)).toBe(
      "acme_intel: Acme Intel (octi-ts/connector-acme-intel, acme-intel)",
    );
    expect(fillPlaceholders("Needs __A_TITLE__ API key.", values)).toBe("Needs an Acme Intel API key.");
  });

  it("leaves common words alone (no blanket replacement)", () => {
    const text = "template slug title name Template SLUG";
    expect(fillPlaceholders(text, values)).toBe(text);
  });

  it("finds leftover placeholder-shaped tokens but not dunder names or rules", () => {
    expect(leftoverPlaceholders("a __FOO__ b __BAR_BAZ__ c __FOO__")).toEqual(["__FOO__", "__BAR_BAZ__"]);
    expect(leftoverPlaceholders("__init__ __dirname ____ ACME_INTEL_API_KEY")).toEqual([]);
  });
});
