/**
 * Invitations as event-sourced state (issue #10 items 1, 2, 3, 4): `invitations` is written only by
 * tenancy's inline handlers, the invitee's address stays in the declared secret store
 * (`invitation_addresses`), a concurrent command on one invitation is refused by the store's expected
 * version (no row lock), and a rebuild from `platform_events` at a later time equals the live table.
 */
import { allTenantIds, inTenant } from "@platform/database";
import { waitFor } from "@platform/testkit";
import type { Invitation } from "../src/generated/prisma/client";
import { type Harness, startTenancy } from "./support/harness";

let h: Harness;

beforeAll(async () => {
  h = await startTenancy();
});
afterAll(() => h?.close());

const actorOf = (userId: string) => ({ type: "user", id: userId, ip_address: null, user_agent: null });

async function allInvitations(): Promise<Invitation[]> {
  const rows: Invitation[] = [];
  for (const accountId of await allTenantIds(h.service.db))
    rows.push(
      ...(await inTenant(h.service.db, accountId, (tx) => tx.invitation.findMany({ where: { accountId } }))),
    );
  return rows.sort((a, b) => a.id.localeCompare(b.id));
}

async function lockWaiters(): Promise<number> {
  const [row] = await h.service.db.$queryRawUnsafe<{ n: number }[]>(
    "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
  );
  return row?.n ?? 0;
}

const invite = async (accountId: string, token: string, email: string) => {
  const res = await h.call("POST", `/v1/organizations/${accountId}/invitations`, {
    token,
    body: { email, role: "member" },
  });
  expect(res.status).toBe(201);
  return res.body.invitation_id as string;
};

describe("invitations decide on their state and append at its version", () => {
  it("of an acceptance and a revocation at once, one commits and the other gets 409 concurrency_conflict", async () => {
    const { accountId, owner } = await h.organization();
    const invitationId = await invite(accountId, owner.token, `x-${Date.now()}@example.com`);

    let second: Promise<{ status: number; body: Record<string, unknown> }> | undefined;
    await inTenant(h.service.db, accountId, async (tx) => {
      await h.service.invitations.accepted(
        tx,
        { account_id: accountId, user_id: "usr_joined", invitation_id: invitationId, role: "member" },
        actorOf("usr_joined"),
      );
      second = h.call("DELETE", `/v1/organizations/${accountId}/invitations/${invitationId}`, {
        token: owner.token,
      });
      await waitFor(async () => ((await lockWaiters()) > 0 ? true : undefined), {
        what: "the revocation's append waiting",
      });
    });
    expect(await second).toMatchObject({ status: 409, body: { code: "concurrency_conflict" } });
    const listed = await h.call("GET", `/v1/organizations/${accountId}/invitations`, { token: owner.token });
    expect(listed.body.data).toEqual([
      expect.objectContaining({ invitation_id: invitationId, status: "accepted" }),
    ]);
  });
});

describe("rebuilding invitations from the log", () => {
  it("drops every invitation, replays platform_events at a later time, and writes equal rows; addresses stay", async () => {
    for (const name of ["Initech", "Globex"]) {
      const organization = await h.organization(name);
      const { accountId, owner } = organization;
      await h.member(organization);
      const pending = await invite(accountId, owner.token, `p-${accountId}@example.com`);
      const revoked = await invite(accountId, owner.token, `r-${accountId}@example.com`);
      h.clock.advance(1_000);
      await h.call("POST", `/v1/organizations/${accountId}/invitations/${pending}/resend`, {
        token: owner.token,
      });
      await h.call("DELETE", `/v1/organizations/${accountId}/invitations/${revoked}`, { token: owner.token });
    }
    const live = await allInvitations();
    expect(new Set(live.map((i) => i.status))).toEqual(new Set(["pending", "accepted", "revoked"]));
    expect(live.some((i) => i.sendCount === 2)).toBe(true);

    h.clock.advance(86_400_000);
    const [victim] = live;
    if (victim)
      await inTenant(h.service.db, victim.accountId, (tx) =>
        tx.invitation.update({ where: { id: victim.id }, data: { status: "tampered", version: 99 } }),
      );
    await h.service.rebuildState();
    expect(await allInvitations()).toEqual(live);
  });
});
