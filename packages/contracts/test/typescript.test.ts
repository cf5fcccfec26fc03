import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { loadContracts, renderTypeModules } from "../src";
import type { AnalyticsEvent } from "../src/types/analytics/AnalyticsEvent.v2";

const typesRoot = join(__dirname, "../src/types");

function committed(): Map<string, string> {
  const files = readdirSync(typesRoot, { recursive: true, withFileTypes: true }).filter((entry) =>
    entry.isFile(),
  );
  return new Map(
    files.map((entry) => {
      const path = join(entry.parentPath, entry.name);
      return [relative(typesRoot, path), readFileSync(path, "utf8")] as const;
    }),
  );
}

describe("generated TypeScript types", () => {
  it("are what the schemas generate (run `node packages/contracts/bin/platform-contracts.js types`)", () => {
    const expected = renderTypeModules(loadContracts(join(__dirname, "../../../schemas")));
    expect(committed()).toEqual(expected);
  });

  it("describe the v2 additions", () => {
    const attribution: AnalyticsEvent["attribution"] = {
      utm_source: "newsletter",
      utm_campaign: null,
      first_touch_channel: null,
      last_touch_channel: null,
    };
    expect(attribution.utm_source).toBe("newsletter");
  });
});
