/**
 * Tenant isolation in identity's database, held to one declaration. identity's account-scoped tables do
 * not have row-level security yet (docs/identity.md, Tenant isolation, says why and what converting
 * them takes); the kit's check finds every table with an account_id through information_schema, and this
 * test fails when one appears that is neither made the kit's way (`platform-db tenant:sql`) nor declared
 * below with its reason, and when a declared one has since been converted (so the list only shrinks).
 */
import { tenantIsolationGaps } from "@platform/database";
import { createTestDatabase, type TestDatabase } from "@platform/testkit";
import { MIGRATIONS_DIR } from "../src/service";

/** Tables with an account_id and no row-level security yet, each with what finds its rows today. */
const NOT_YET_ISOLATED: Record<string, string> = {
  account_access: "sign-in and account switching read a person's accounts across organizations",
  account_memberships:
    "tenancy's half of account_access (the view account_members), read with it across organizations",
  sessions: "found by refresh-token hash before any tenant is known; account_id is null until one is chosen",
  api_keys: "found by key hash before any tenant is known",
  scim_tokens: "found by token hash before any tenant is known",
  sso_connections: "SAML and OIDC callbacks find the connection by id before any tenant is known",
  directory_groups: "SCIM, scoped by the token's account in every query",
  audit_entries: "written beside every change, read per account",
  invitations: "accepted by link token before any tenant is known",
  role_definitions: "the verifier loads every organization's roles at start",
  revocations: "the verifier's revocations of every tenant; account_id is null for a person's own",
  closed_accounts: "projected from tenancy, read by every guard before the tenant is entered",
  seat_limits: "projected from billing, read when provisioning",
  verified_domains: "projected from tenancy, a domain finds its organization across tenants",
};

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase({ migrationsDir: MIGRATIONS_DIR, role: "identity_test" });
});
afterAll(() => db?.drop());

it("has no table with an account_id outside row-level security but those declared, and the role binds", async () => {
  const gaps = await tenantIsolationGaps(db.url);
  const tables = [...new Set(gaps.map((gap) => gap.slice(0, gap.indexOf(":"))))].sort();
  expect(tables).toEqual(Object.keys(NOT_YET_ISOLATED).sort());
});
