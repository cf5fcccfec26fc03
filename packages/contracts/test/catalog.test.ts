import { readFileSync } from "node:fs";
import { join } from "node:path";
import { loadContracts, renderCatalog } from "../src";

describe("docs/topics.md", () => {
  it("is what the schemas generate (run `node packages/contracts/bin/platform-contracts.js catalog`)", () => {
    const contracts = loadContracts(join(__dirname, "../../../schemas"));
    expect(readFileSync(join(__dirname, "../../../docs/topics.md"), "utf8")).toBe(renderCatalog(contracts));
  });

  it("documents every field of every latest version", () => {
    const catalog = renderCatalog(loadContracts(join(__dirname, "../../../schemas")));
    expect(catalog).toContain("`attribution`");
    expect(catalog).toContain("`delivery_tracking`");
    expect(catalog).toMatch(/\| analytics \| `account_id` \| 6 \| 90 days \| FULL_TRANSITIVE/);
  });
});
