/**
 * Accepting tenancy's invitations: the invitee signs up or signs in with the link's token and joins
 * with the invited role (user.joined). Forwarded, forged, expired, revoked and reused links change nothing.
 */

import { randomBytes } from "node:crypto";
import { TenancyEvent } from "@platform/contracts";
import { waitFor } from "@platform/testkit";
import { sha256 } from "../src/domain/secrets";
import { type Harness, startIdentity } from "./support/harness";

let h: Harness;
beforeAll(async () => {
  h = await startIdentity();
});
afterAll(() => h.close());

const password = "correct horse battery staple";
let counter = 0;
const newEmail = () => `invitee${++counter}.${Date.now()}@example.com`;
const actor = { type: "user", id: "usr_inviter", ip_address: null, user_agent: null };

/** tenancy's InvitationSent (v2), and the link its e-mail carries. */
async function invite(accountId: string, email: string, role = "member", expiresInMs = 7 * 86_400_000) {
  const invitationId = `inv_${randomBytes(8).toString("hex")}`;
  const secret = randomBytes(32).toString("base64url");
  await h.publishTenancyEvent(TenancyEvent.InvitationSent, invitationId, 1, {
    account_id: accountId,
    invitation_id: invitationId,
    invitee_email_hash: sha256(email.toLowerCase()),
    invitee_role: role,
    group_id: null,
    expires_at: Date.now() + expiresInMs,
    occurred_at: Date.now(),
    actor,
    token_sha256: sha256(secret),
  });
  await waitFor(
    () => h.service.db.invitation.findUnique({ where: { id: invitationId } }).then((r) => r ?? undefined),
    {
      what: "the invitation to be projected",
    },
  );
  return { invitationId, token: `${invitationId}.${secret}` };
}

async function eventTypes(userId: string) {
  const rows = await h.service.db.$queryRawUnsafe<{ event_type: string; payload: Record<string, unknown> }[]>(
    "SELECT event_type, payload FROM platform_events WHERE aggregate_id = $1 ORDER BY version",
    userId,
  );
  return rows.map((r) => ({ type: r.event_type.replace("platform.identity.", ""), payload: r.payload }));
}

it("signs a new person up into the inviting organization with the invited role (user.joined)", async () => {
  const email = newEmail();
  const { invitationId, token } = await invite("org_inv", email, "admin");
  const res = await h.call("POST", "/v1/users", { body: { email, password, invitation_token: token } });
  expect([res.status, res.body.email_verified]).toEqual([201, true]);
  const events = await eventTypes(res.body.user_id);
  expect(events.map((e) => e.type)).toEqual(["UserSignedUp", "UserJoined"]);
  expect(events[0]?.payload).toMatchObject({
    account_id: "org_inv",
    signup_source: "invitation",
    email_verified: true,
  });
  expect(events[1]?.payload).toMatchObject({
    account_id: "org_inv",
    invitation_id: invitationId,
    role: "admin",
  });
  const session = await h.call("POST", "/v1/sessions", { body: { email, password } });
  expect(session.body.account_id).toBe("org_inv");
  const me = await h.call("GET", "/v1/me", { token: session.body.access_token });
  expect(me.body.role).toBe("admin");
});

it("lets an existing person join by signing in with the invitation", async () => {
  const email = newEmail();
  const { body } = await h.call("POST", "/v1/users", { body: { email, password } });
  const { token } = await invite("org_second", email, "viewer");
  const session = await h.call("POST", "/v1/sessions", {
    body: { email, password, invitation_token: token },
  });
  expect([session.status, session.body.account_id]).toEqual([201, "org_second"]);
  expect((await eventTypes(body.user_id)).map((e) => e.type)).toContain("UserJoined");
});

it("refuses a link forwarded to another address, and creates nobody", async () => {
  const { token } = await invite("org_fwd", newEmail());
  const other = newEmail();
  const res = await h.call("POST", "/v1/users", {
    body: { email: other, password, invitation_token: token },
  });
  expect([res.status, res.body.code]).toEqual([400, "invitation_email_mismatch"]);
  expect(await h.service.db.user.count({ where: { email: other } })).toBe(0);
});

it.each([
  [
    "a forged secret",
    async (email: string) =>
      `${(await invite("org_forge", email)).invitationId}.${randomBytes(32).toString("base64url")}`,
  ],
  ["an unknown invitation", async () => "inv_unknown.secret"],
  ["a malformed token", async () => "no-dot-here"],
  ["an expired invitation", async (email: string) => (await invite("org_exp", email, "member", -1000)).token],
  [
    "a revoked invitation",
    async (email: string) => {
      const { invitationId, token } = await invite("org_rev", email);
      await h.publishTenancyEvent(TenancyEvent.InvitationRevoked, invitationId, 2, {
        account_id: "org_rev",
        invitation_id: invitationId,
        invitee_email_hash: sha256(email),
        invitee_role: "member",
        group_id: null,
        expires_at: Date.now() + 86_400_000,
        occurred_at: Date.now(),
        actor,
      });
      await waitFor(() =>
        h.service.db.invitation
          .findUnique({ where: { id: invitationId } })
          .then((r) => r?.status === "revoked" || undefined),
      );
      return token;
    },
  ],
])("refuses %s and writes nothing", async (_case, tokenFor) => {
  const email = newEmail();
  const token = await tokenFor(email);
  const res = await h.call("POST", "/v1/users", { body: { email, password, invitation_token: token } });
  expect([res.status, res.body.code]).toEqual([400, "invitation_invalid"]);
  expect(await h.service.db.user.count({ where: { email } })).toBe(0);
});

it("accepts an invitation once", async () => {
  const email = newEmail();
  const { token } = await invite("org_once", email);
  expect(
    (await h.call("POST", "/v1/users", { body: { email, password, invitation_token: token } })).status,
  ).toBe(201);
  const again = await h.call("POST", "/v1/sessions", { body: { email, password, invitation_token: token } });
  expect([again.status, again.body.code]).toEqual([400, "invitation_invalid"]);
});
