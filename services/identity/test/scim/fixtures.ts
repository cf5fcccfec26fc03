import type { ScimGroupRecord, ScimUserRecord } from "../../src/scim";

export const BASE_URL = "https://id.example.com/scim/v2";

export function userRecord(overrides: Partial<ScimUserRecord> = {}): ScimUserRecord {
  return {
    id: "2819c223-7f76-453a-919d-413861904646",
    userName: "bjensen@example.com",
    externalId: "00ujl29u0le5T6Aj10h7",
    active: true,
    displayName: "Babs Jensen",
    name: { givenName: "Barbara", familyName: "Jensen", formatted: "Ms. Barbara J Jensen, III" },
    emails: [
      { value: "bjensen@example.com", type: "work", primary: true },
      { value: "babs@jensen.org", type: "home", primary: false },
    ],
    created: new Date("2010-01-23T04:56:22Z"),
    lastModified: new Date("2011-05-13T04:42:34Z"),
    version: 3,
    ...overrides,
  };
}

export function groupRecord(overrides: Partial<ScimGroupRecord> = {}): ScimGroupRecord {
  return {
    id: "e9e30dba-f08f-4109-8486-d5c6a331660a",
    displayName: "Tour Guides",
    externalId: null,
    members: [
      { value: "2819c223-7f76-453a-919d-413861904646", display: "Babs Jensen" },
      { value: "902c246b-6245-4190-8e05-00816be7344a", display: "Mandy Pepperidge" },
    ],
    created: new Date("2010-01-23T04:56:22Z"),
    lastModified: new Date("2011-05-13T04:42:34Z"),
    version: 1,
    ...overrides,
  };
}

/** Runs `action` and returns the SCIM error it throws, failing the test when it throws nothing. */
export function scimErrorOf(action: () => unknown): { status: number; scimType?: string; detail: string } {
  try {
    action();
  } catch (error) {
    const { status, scimType, detail } = error as { status: number; scimType?: string; detail: string };
    if (typeof status !== "number") throw error;
    return { status, scimType, detail };
  }
  throw new Error("expected a ScimError, but nothing was thrown");
}
