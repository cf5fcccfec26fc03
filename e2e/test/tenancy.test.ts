/**
 * identity and tenancy as the platform starts them, talking only through Kafka: an organization
 * created at tenancy makes its creator an owner at identity; an invitation sent by tenancy is accepted
 * at identity; the invitee becomes a member at tenancy; and the two tenants stay apart.
 */
import { uniqueName, waitFor } from "@platform/testkit";
import { Client } from "pg";
import {
  call,
  ensureRunning,
  identityUrl,
  organizationOf,
  PASSWORD,
  signUp,
  tenancyUrl,
} from "./support/platform";

beforeAll(async () => {
  await ensureRunning("identity", "tenancy");
});

/** The invitation e-mail tenancy queued for the mailer, read as the invitee reads their inbox. */
async function invitationLink(email: string): Promise<string> {
  const url = process.env.TENANCY_DATABASE_URL ?? "postgresql://tenancy:tenancy@127.0.0.1:5432/tenancy_e2e";
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ variables: { link: string } }>(
      "SELECT variables FROM outbound_emails WHERE recipient = $1 ORDER BY created_at DESC LIMIT 1",
      [email],
    );
    const link = rows[0]?.variables.link;
    if (!link) throw new Error(`no invitation e-mail to ${email}`);
    return link;
  } finally {
    await client.end();
  }
}

it("creates an organization, invites a person, who accepts at identity and becomes a member at tenancy", async () => {
  const owner = await signUp(`${uniqueName("founder")}@example.com`);
  const { accountId, token } = await organizationOf(owner, "E2E Tenancy");
  const org = await call(tenancyUrl, "GET", `/v1/organizations/${accountId}`, { token });
  expect([org.status, org.body.name]).toEqual([200, "E2E Tenancy"]);

  const inviteeEmail = `${uniqueName("invitee")}@example.com`;
  const invited = await call(tenancyUrl, "POST", `/v1/organizations/${accountId}/invitations`, {
    token,
    body: { email: inviteeEmail, role: "admin" },
  });
  expect(invited.status).toBe(201);
  const invitationToken = new URL(await invitationLink(inviteeEmail)).searchParams.get("token");

  // identity learns the invitation from tenancy.events before it can accept it.
  const joined = await waitFor(
    async () => {
      const res = await call(identityUrl, "POST", "/v1/users", {
        body: { email: inviteeEmail, password: PASSWORD, invitation_token: invitationToken },
      });
      return res.status === 201 ? res : undefined;
    },
    { timeoutMs: 60_000, what: "identity to accept tenancy's invitation" },
  );
  const session = await call(identityUrl, "POST", "/v1/sessions", {
    body: { email: inviteeEmail, password: PASSWORD },
  });
  expect([session.body.account_id]).toEqual([accountId]);

  const members = await waitFor(
    async () => {
      const res = await call(tenancyUrl, "GET", `/v1/organizations/${accountId}/members`, { token });
      return res.body.data.some((m: { user_id: string }) => m.user_id === joined.body.user_id)
        ? res.body.data
        : undefined;
    },
    { timeoutMs: 60_000, what: "tenancy to learn user.joined from identity.events" },
  );
  expect(members.find((m: { user_id: string }) => m.user_id === joined.body.user_id)).toMatchObject({
    role: "admin",
    source: "invitation",
  });

  // The invitee's own token (role admin in this organization) works at tenancy.
  const groups = await call(tenancyUrl, "POST", `/v1/organizations/${accountId}/groups`, {
    token: session.body.access_token,
    body: { type: "workspace", name: "Made by the invitee" },
  });
  expect(groups.status).toBe(201);

  // Removed, the member's token stops working at tenancy: tenancy's MemberRemoved reaches identity,
  // which publishes the revocation tenancy's verifier follows.
  const removedAt = Date.now();
  const removed = await call(
    tenancyUrl,
    "DELETE",
    `/v1/organizations/${accountId}/members/${joined.body.user_id}`,
    {
      token,
    },
  );
  expect(removed.status).toBe(204);
  await waitFor(
    async () => {
      const res = await call(tenancyUrl, "GET", `/v1/organizations/${accountId}`, {
        token: session.body.access_token,
      });
      return res.status === 401 ? res : undefined;
    },
    { timeoutMs: 10_000, intervalMs: 10, what: "tenancy to refuse the removed member's token" },
  );
  console.info(`removed member's token refused by tenancy after ${Date.now() - removedAt} ms`);
  const ticket = await call(tenancyUrl, "POST", `/v1/organizations/${accountId}/tickets`, {
    token: session.body.access_token,
    body: { subject: "written after removal" },
  });
  expect([ticket.status, ticket.body.code]).toEqual([401, "session_revoked"]);
  const tickets = await call(tenancyUrl, "GET", `/v1/organizations/${accountId}/tickets`, { token });
  expect(tickets.body.data.some((t: { subject: string }) => t.subject === "written after removal")).toBe(
    false,
  );
});

it("keeps two organizations apart across both services", async () => {
  const alice = await signUp(`${uniqueName("alice")}@example.com`);
  const bob = await signUp(`${uniqueName("bob")}@example.com`);
  const a = await organizationOf(alice, "Alice Inc");
  const b = await organizationOf(bob, "Bob Inc");
  const reach = await call(tenancyUrl, "GET", `/v1/organizations/${b.accountId}`, { token: a.token });
  expect([reach.status, reach.body.code]).toEqual([403, "account_mismatch"]);
  const switchInto = await call(identityUrl, "POST", "/v1/sessions/current/account", {
    token: a.token,
    body: { account_id: b.accountId },
  });
  expect([switchInto.status, switchInto.body.code]).toEqual([404, "account_not_member"]);
});
