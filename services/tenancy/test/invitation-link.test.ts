/**
 * The link in an invitation e-mail, opened as its recipient opens it: it answers what the invitation
 * is and how to accept it at identity, and only while it can still be accepted; every dead or forged
 * link gets one and the same 404. (e2e/test/invitation-link.test.ts follows it through identity.)
 */
import { IdentityEvent } from "@platform/contracts";
import { waitFor } from "@platform/testkit";
import { type Harness, startTenancy } from "./support/harness";

let h: Harness;
beforeAll(async () => {
  h = await startTenancy();
});
afterAll(() => h.close());

async function invite(accountId: string, token: string, email: string, role = "admin") {
  const res = await h.call("POST", `/v1/organizations/${accountId}/invitations`, {
    token,
    body: { email, role },
  });
  expect(res.status).toBe(201);
  return res.body.invitation_id as string;
}

/** The newest invitation link queued for the address, as it stands in the e-mail. */
async function linkTo(email: string): Promise<URL> {
  const row = await h.service.db.outboundEmail.findFirstOrThrow({
    where: { recipient: email, template: "invitation" },
    orderBy: { createdAt: "desc" },
  });
  return new URL((row.variables as { link: string }).link);
}

/** Opens the link on this test's server: the same path and query the recipient's click sends. */
async function open(link: URL) {
  const response = await fetch(`${h.url}${link.pathname}${link.search}`);
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: JSON.parse(text) };
}

it("answers the organization, role, address, whether it has an account, and how to accept", async () => {
  const { accountId, owner } = await h.organization("Link Co");
  const email = `new.${Date.now()}@example.com`;
  const id = await invite(accountId, owner.token, email, "admin");
  const link = await linkTo(email);
  expect(`${link.origin}${link.pathname}`).toBe("http://app.test/v1/invitations/open");
  const token = link.searchParams.get("token");
  expect(token).toMatch(new RegExp(`^${id}\\.`));

  const opened = await open(link);
  expect(opened.status).toBe(200);
  expect(opened.headers.get("cache-control")).toBe("no-store");
  expect(opened.body).toEqual({
    invitation_id: id,
    organization: { account_id: accountId, name: "Link Co" },
    email,
    role: "admin",
    expires_at: expect.any(String),
    has_account: false,
    accept: {
      method: "POST",
      url: "http://identity.test/v1/users",
      body: { email, password: "<password>", invitation_token: token },
    },
  });

  const person = await h.person({ verified: true });
  await invite(accountId, owner.token, person.email, "viewer");
  const known = await open(await linkTo(person.email));
  expect(known.body).toMatchObject({
    has_account: true,
    role: "viewer",
    accept: { url: "http://identity.test/v1/sessions" },
  });
});

it("answers one 404 for a forged, resent, revoked, accepted or expired link", async () => {
  const { accountId, owner } = await h.organization("Dead Links");
  const other = await h.organization("Elsewhere");
  const dead: URL[] = [];
  const variant = (link: URL, change: Record<string, string | null>) => {
    const copy = new URL(link);
    for (const [name, value] of Object.entries(change))
      value === null ? copy.searchParams.delete(name) : copy.searchParams.set(name, value);
    return copy;
  };

  const email = `forged.${Date.now()}@example.com`;
  await invite(accountId, owner.token, email);
  const live = await linkTo(email);
  const token = live.searchParams.get("token") ?? "";
  const [id, secret] = token.split(".");
  dead.push(
    variant(live, { token: `${id}.${secret?.replace(/^./, (c) => (c === "A" ? "B" : "A"))}` }),
    variant(live, { token: `inv_00000000000000000000.${secret}` }),
    variant(live, { token: String(id) }),
    variant(live, { token: `${token}.x` }),
    variant(live, { token: null }),
    variant(live, { account_id: other.accountId }),
    variant(live, { account_id: null }),
  );
  expect((await open(live)).status).toBe(200);

  const resentTo = `resent.${Date.now()}@example.com`;
  const resentId = await invite(accountId, owner.token, resentTo);
  const beforeResend = await linkTo(resentTo);
  await h.call("POST", `/v1/organizations/${accountId}/invitations/${resentId}/resend`, {
    token: owner.token,
  });
  dead.push(beforeResend);
  expect((await open(await linkTo(resentTo))).status).toBe(200);

  const revokedTo = `revoked.${Date.now()}@example.com`;
  const revokedId = await invite(accountId, owner.token, revokedTo);
  await h.call("DELETE", `/v1/organizations/${accountId}/invitations/${revokedId}`, { token: owner.token });
  dead.push(await linkTo(revokedTo));

  const joiner = await h.person();
  const joinedId = await invite(accountId, owner.token, joiner.email, "member");
  await h.publish("identity", IdentityEvent.UserJoined, joiner.userId, {
    account_id: accountId,
    user_id: joiner.userId,
    email: joiner.email,
    invitation_id: joinedId,
    role: "member",
    group_id: null,
  });
  await waitFor(
    () =>
      h.service.db
        .$queryRawUnsafe<{ n: bigint }[]>(
          "SELECT count(*) AS n FROM platform_events WHERE aggregate_id = $1 AND event_type LIKE '%InvitationAccepted'",
          joinedId,
        )
        .then((rows) => (rows[0]?.n === 1n ? true : undefined)),
    { what: "the invitation to be accepted" },
  );
  dead.push(await linkTo(joiner.email));

  for (const link of dead) {
    const answer = await open(link);
    expect({
      link: link.search,
      status: answer.status,
      code: answer.body.code,
      detail: answer.body.detail,
    }).toEqual({
      link: link.search,
      status: 404,
      code: "invitation_link_invalid",
      detail: "this invitation link is invalid, used, revoked or expired",
    });
  }

  h.clock.advance(8 * 86_400_000);
  expect((await open(live)).body.code).toBe("invitation_link_invalid");
});
