/**
 * Tenant isolation, both walls: every route scoped to the token's organization, and Postgres
 * row-level security forced on every tenant table for a role that is neither superuser nor BYPASSRLS,
 * with the tenant set per transaction. Two tenants try every route on each other's data.
 */

import { inTenant, tenantIsolationGaps } from "@platform/database";
import { waitFor } from "@platform/testkit";
import { PrismaPg } from "@prisma/adapter-pg";
import { CROSS_TENANT } from "../src/app/tenant";
import { PrismaClient } from "../src/generated/prisma/client";
import { type Harness, startTenancy } from "./support/harness";

let h: Harness;
beforeAll(async () => {
  h = await startTenancy();
});
afterAll(() => h.close());

/** One organization with something in every table, and the ids a neighbour might reach for. */
async function populated(name: string) {
  const { accountId, owner } = await h.organization(name);
  const call = (method: string, path: string, body?: unknown) =>
    h.call(method, `/v1/organizations/${accountId}${path}`, { token: owner.token, body });
  const group = (await call("POST", "/groups", { type: "team", name: `${name} team` })).body;
  const member = await h.member({ accountId, owner });
  await call("POST", `/groups/${group.group_id}/members`, { user_id: member.userId });
  const invitation = (
    await call("POST", "/invitations", { email: `${name.toLowerCase()}@example.com`, role: "member" })
  ).body;
  const ticket = (await call("POST", "/tickets", { subject: `${name} cannot log in` })).body;
  const domain = (await call("POST", "/domains", { domain: `${name.toLowerCase()}-corp.com` })).body;
  if (!group.group_id || !invitation.invitation_id || !ticket.ticket_id || !domain.domain_id)
    throw new Error(`setup failed: ${JSON.stringify({ group, invitation, ticket, domain })}`);
  await waitFor(() =>
    inTenant(h.service.db, accountId, (tx) => tx.accountTraits.findUnique({ where: { accountId } })).then(
      (t) => t ?? undefined,
    ),
  );
  return {
    accountId,
    owner,
    groupId: group.group_id as string,
    memberId: member.userId,
    invitationId: invitation.invitation_id as string,
    ticketId: ticket.ticket_id as string,
    domainId: domain.domain_id as string,
  };
}

/**
 * The tenant's rows, less what tenancy's own processes change in the background (onboarding: the
 * checklist, and the organization's time and version of its last event).
 */
async function snapshot(accountId: string) {
  return inTenant(h.service.db, accountId, async (tx) => ({
    organization: await tx.organization.findUnique({
      where: { accountId },
      omit: { onboardingDone: true, updatedAt: true, version: true },
    }),
    groups: await tx.group.findMany({ orderBy: { id: "asc" } }),
    memberships: await tx.membership.findMany({ orderBy: [{ groupId: "asc" }, { userId: "asc" }] }),
    invitations: await tx.invitation.findMany({ orderBy: { id: "asc" } }),
    tickets: await tx.ticket.findMany({ orderBy: { id: "asc" } }),
    domains: await tx.domain.findMany({ orderBy: { id: "asc" } }),
  }));
}

type Tenant = Awaited<ReturnType<typeof populated>>;

/** Every route of the API, as [method, path, body] for a given organization and target ids. */
function routes(accountId: string, t: Tenant): [string, string, unknown?][] {
  const base = `/v1/organizations/${accountId}`;
  return [
    ["GET", base],
    ["PATCH", base, { name: "Hijacked" }],
    ["DELETE", base],
    ["GET", `${base}/traits`],
    ["GET", `${base}/groups`],
    ["POST", `${base}/groups`, { type: "team", name: "Intruders", parent_group_id: t.groupId }],
    ["GET", `${base}/groups/${t.groupId}`],
    ["PATCH", `${base}/groups/${t.groupId}`, { name: "Hijacked" }],
    ["POST", `${base}/groups/${t.groupId}/move`, { parent_group_id: accountId }],
    ["POST", `${base}/groups/${t.groupId}/archive`],
    ["GET", `${base}/members`],
    ["POST", `${base}/members`, { user_id: t.memberId }],
    ["PATCH", `${base}/members/${t.memberId}`, { role: "owner" }],
    ["DELETE", `${base}/members/${t.memberId}`],
    ["GET", `${base}/groups/${t.groupId}/members`],
    ["POST", `${base}/groups/${t.groupId}/members`, { user_id: t.memberId }],
    ["PATCH", `${base}/groups/${t.groupId}/members/${t.memberId}`, { role: "owner" }],
    ["DELETE", `${base}/groups/${t.groupId}/members/${t.memberId}`],
    ["GET", `${base}/invitations`],
    ["POST", `${base}/invitations/${t.invitationId}/resend`],
    ["DELETE", `${base}/invitations/${t.invitationId}`],
    ["GET", `${base}/tickets`],
    ["POST", `${base}/tickets`, { subject: "Intruder" }],
    ["GET", `${base}/tickets/${t.ticketId}`],
    ["PATCH", `${base}/tickets/${t.ticketId}`, { status: "closed" }],
    ["GET", `${base}/domains`],
    ["POST", `${base}/domains`, { domain: "intruder-corp.com" }],
    ["POST", `${base}/domains/${t.domainId}/verify`],
    ["PATCH", `${base}/domains/${t.domainId}`, { auto_join: true }],
    ["DELETE", `${base}/domains/${t.domainId}`],
  ];
}

describe("two tenants reaching for each other's data", () => {
  let a: Tenant;
  let b: Tenant;
  beforeAll(async () => {
    a = await populated("Alpha");
    b = await populated("Beta");
  });

  it("refuses every route on the other organization's path (403), changing nothing", async () => {
    const before = await snapshot(b.accountId);
    for (const [method, path, body] of routes(b.accountId, b)) {
      const res = await h.call(method, path, { token: a.owner.token, body });
      expect([method, path, res.status, res.body?.code]).toEqual([method, path, 403, "account_mismatch"]);
    }
    expect(await snapshot(b.accountId)).toEqual(before);
  });

  it("finds none of the other organization's groups, members or invitations through its own path, leaking 0 rows", async () => {
    const before = await snapshot(b.accountId);
    for (const [method, path, body] of routes(a.accountId, b)) {
      // Closing Alpha would end the walk (a closed organization answers every write with 409);
      // closed.test.ts covers closing.
      if (method === "DELETE" && path === `/v1/organizations/${a.accountId}`) continue;
      const res = await h.call(method, path, { token: a.owner.token, body });
      const text = JSON.stringify(res.body);
      // Whatever the answer, nothing of Beta's that Alpha did not send itself appears in it.
      expect([
        path,
        ["Beta", "beta@example.com", b.accountId].filter((secret) => text.includes(secret)),
      ]).toEqual([path, []]);
      if (path.includes(b.groupId) || path.includes(b.invitationId))
        expect([method, path, [400, 404].includes(res.status)]).toEqual([method, path, true]);
      // Beta's member cannot be pulled into Alpha or its groups: the answer an unknown id gets.
      if ((body as { user_id?: string } | undefined)?.user_id === b.memberId && !path.includes(b.groupId))
        expect([method, path, res.status, res.body?.code]).toEqual([
          method,
          path,
          404,
          "not_an_organization_member",
        ]);
    }
    expect(await snapshot(b.accountId)).toEqual(before);
  });

  it("lets row-level security alone hide the other tenant, and hide everything when no tenant is set", async () => {
    // A second client as the service's own role, to bypass the application's filters entirely.
    const raw = new PrismaClient({ adapter: new PrismaPg({ connectionString: h.db.url }) });
    try {
      const [role] = await raw.$queryRawUnsafe<{ rolsuper: boolean; rolbypassrls: boolean }[]>(
        "SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user",
      );
      expect(role).toEqual({ rolsuper: false, rolbypassrls: false });
      // Every table with an account_id, found by the kit in information_schema: forced, with the tenant
      // policy, and no wider policy than the lookups declared in CROSS_TENANT.
      expect(await tenantIsolationGaps(h.db.url, Object.values(CROSS_TENANT))).toEqual([]);
      const tenantTables = (
        await raw.$queryRawUnsafe<{ table_name: string }[]>(
          "SELECT table_name FROM information_schema.columns WHERE table_schema = current_schema() AND column_name = 'account_id' ORDER BY table_name",
        )
      ).map((row) => row.table_name);
      expect(tenantTables).toEqual(expect.arrayContaining(["organizations", "tickets", "verified_domains"]));

      for (const table of tenantTables) {
        const [none] = await raw.$queryRawUnsafe<{ n: bigint }[]>(`SELECT count(*) AS n FROM ${table}`);
        expect([table, Number(none?.n)]).toEqual([table, 0]);
        const leaked = await raw.$transaction(async (tx) => {
          await tx.$queryRawUnsafe("SELECT set_config('app.tenant_id', $1, true)", a.accountId);
          return tx.$queryRawUnsafe<{ n: bigint }[]>(
            `SELECT count(*) AS n FROM ${table} WHERE account_id <> $1`,
            a.accountId,
          );
        });
        expect([table, Number(leaked[0]?.n)]).toEqual([table, 0]);
      }
      // The setting is per transaction: the next transaction on the same connection starts with none.
      const [after] = await raw.$queryRawUnsafe<{ n: bigint }[]>("SELECT count(*) AS n FROM organizations");
      expect(Number(after?.n)).toBe(0);
      // And a write into another tenant's account is refused by the policy's WITH CHECK.
      await expect(
        raw.$transaction(async (tx) => {
          await tx.$queryRawUnsafe("SELECT set_config('app.tenant_id', $1, true)", a.accountId);
          await tx.$executeRawUnsafe(
            "INSERT INTO groups (id, account_id, type, name, parent_group_id, ancestor_ids) VALUES ('grp_evil', $1, 'team', 'x', $1, ARRAY[$1])",
            b.accountId,
          );
        }),
      ).rejects.toThrow(/row-level security/);
    } finally {
      await raw.$disconnect();
    }
  });

  it("does not let a member change what only admins may", async () => {
    const member = await h.token(a.memberId, a.accountId, "member");
    const res = await h.call("POST", `/v1/organizations/${a.accountId}/groups`, {
      token: member,
      body: { type: "team", name: "x" },
    });
    expect([res.status, res.body.code]).toEqual([403, "permission_denied"]);
    const read = await h.call("GET", `/v1/organizations/${a.accountId}/groups`, { token: member });
    expect(read.status).toBe(200);
  });
});
