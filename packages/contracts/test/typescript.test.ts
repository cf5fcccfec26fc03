import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import * as catalogs from "../src";
import {
  type Actor,
  catalogPrefix,
  IdentityEvent,
  loadContracts,
  renderTypeModules,
  TenancyEvent,
  type TenancyPayloads,
} from "../src";
import type { AnalyticsEvent } from "../src/types/analytics/AnalyticsEvent.v2";

const typesRoot = join(__dirname, "../src/types");
const contracts = loadContracts(join(__dirname, "../../../schemas"));

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
    const expected = renderTypeModules(contracts);
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

  it("declare Actor once, in shared.ts, which every version module imports", () => {
    const declaring = [...committed()]
      .filter(([, content]) => content.includes("export interface Actor "))
      .map(([file]) => file);
    expect(declaring).toEqual(["shared.ts"]);
    const actor: Actor = { type: "system", id: null, ip_address: null, user_agent: null };
    expect(actor.type).toBe("system");
  });
});

describe("generated event catalogs", () => {
  const domainLogs = contracts.topics.filter((topic) => topic.subjectStrategy === "TopicRecordNameStrategy");

  it("name every event type of every domain log by its Avro full name", () => {
    const exported = new Map<string, unknown>(Object.entries(catalogs));
    for (const topic of domainLogs) {
      const declared = contracts.subjects
        .filter((subject) => subject.topic === topic.name)
        .map((subject) => subject.record)
        .sort();
      const constants = exported.get(`${catalogPrefix(topic.name)}Event`);
      expect(Object.values(constants ?? {}).sort()).toEqual(declared);
    }
    expect(TenancyEvent.MemberAdded).toBe("platform.tenancy.MemberAdded");
    expect(IdentityEvent.UserSignedUp).toBe("platform.identity.UserSignedUp");
  });

  it("map each event type to its latest payload version", () => {
    const sent: TenancyPayloads[typeof TenancyEvent.InvitationSent] = {
      account_id: "org_1",
      invitation_id: "inv_1",
      invitee_email_hash: "hash",
      invitee_role: "member",
      group_id: null,
      expires_at: 0,
      occurred_at: 0,
      actor: { type: "system", id: null, ip_address: null, user_agent: null },
      token_sha256: "added in v2",
    };
    expect(sent.token_sha256).toBe("added in v2");
  });
});
