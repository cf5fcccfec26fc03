/**
 * The invitation link a person receives, followed from the e-mail tenancy queued to membership:
 * opening it says what the invitation is and how to accept it; doing as it says at identity (sign up
 * for a new address, sign in for an existing account) makes the person a member at tenancy.
 * Both services run in this process on real Postgres, Kafka and the registry (support/in-process.ts).
 */
import { uniqueName, waitFor } from "@platform/testkit";
import { type InProcessPlatform, startInProcess } from "./support/in-process";
import { call, organizationOf, PASSWORD } from "./support/platform";

let p: InProcessPlatform;
beforeAll(async () => {
  p = await startInProcess();
}, 120_000);
afterAll(() => p?.close());

async function invitationLink(email: string): Promise<string> {
  const row = await waitFor(
    () =>
      p.tenancy.service.db.outboundEmail
        .findFirst({ where: { recipient: email, template: "invitation" }, orderBy: { createdAt: "desc" } })
        .then((found) => found ?? undefined),
    { what: `the invitation e-mail to ${email}` },
  );
  return (row.variables as { link: string }).link;
}

/** Does what the opened link says: the request it describes, with the person's password. */
async function accept(opened: { accept: { method: string; url: string; body: Record<string, unknown> } }) {
  const { method, url, body } = opened.accept;
  // identity learns the invitation from tenancy.events; until then it does not know the link.
  return waitFor(
    async () => {
      const res = await fetch(p.reach(url), {
        method,
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ ...body, password: PASSWORD }),
      });
      return res.status === 201 ? ((await res.json()) as Record<string, unknown>) : undefined;
    },
    { timeoutMs: 60_000, what: "identity to accept the invitation" },
  );
}

async function memberOf(accountId: string, token: string, userId: string) {
  return waitFor(
    async () => {
      const res = await call(p.urls.tenancy, "GET", `/v1/organizations/${accountId}/members`, { token });
      return res.body.data?.find((m: { user_id: string }) => m.user_id === userId);
    },
    { timeoutMs: 60_000, what: `${userId} to become a member at tenancy` },
  );
}

async function signUp(email: string) {
  const created = await call(p.urls.identity, "POST", "/v1/users", { body: { email, password: PASSWORD } });
  const session = await call(p.urls.identity, "POST", "/v1/sessions", {
    body: { email, password: PASSWORD },
  });
  return { userId: created.body.user_id as string, token: session.body.access_token as string };
}

it("a new address: the link says sign up, and signing up as it says makes a member", async () => {
  const owner = await signUp(`${uniqueName("owner")}@example.com`);
  const { accountId, token } = await organizationOf(owner, "Linked Inc", p.urls);
  const email = `${uniqueName("newcomer")}@example.com`;
  const invited = await call(p.urls.tenancy, "POST", `/v1/organizations/${accountId}/invitations`, {
    token,
    body: { email, role: "admin" },
  });
  expect(invited.status).toBe(201);

  const link = await invitationLink(email);
  const opened = await fetch(p.reach(link));
  expect(opened.status).toBe(200);
  const invitation = await opened.json();
  expect(invitation).toMatchObject({
    organization: { account_id: accountId, name: "Linked Inc" },
    email,
    role: "admin",
    has_account: false,
    accept: { method: "POST", url: "http://identity.test/v1/users" },
  });

  await accept(invitation);
  const session = await call(p.urls.identity, "POST", "/v1/sessions", {
    body: { email, password: PASSWORD },
  });
  expect([session.status, session.body.account_id]).toEqual([201, accountId]);
  const me = await call(p.urls.identity, "GET", "/v1/me", { token: session.body.access_token });
  expect(await memberOf(accountId, token, me.body.user_id)).toMatchObject({
    role: "admin",
    source: "invitation",
  });
  // Used: the same link now opens nothing.
  expect((await fetch(p.reach(link))).status).toBe(404);
});

it("an address with an account: the link says sign in, and signing in with it makes a member", async () => {
  const owner = await signUp(`${uniqueName("owner")}@example.com`);
  const { accountId, token } = await organizationOf(owner, "Second Co", p.urls);
  const email = `${uniqueName("known")}@example.com`;
  const person = await signUp(email);
  // tenancy knows who has an account from identity.events.
  await waitFor(
    () => p.tenancy.service.db.person.findUnique({ where: { email } }).then((found) => found ?? undefined),
    { what: "tenancy to learn the person" },
  );
  await call(p.urls.tenancy, "POST", `/v1/organizations/${accountId}/invitations`, {
    token,
    body: { email, role: "viewer" },
  });
  const invitation = await (await fetch(p.reach(await invitationLink(email)))).json();
  expect(invitation).toMatchObject({
    has_account: true,
    accept: { method: "POST", url: "http://identity.test/v1/sessions" },
  });

  const joined = await accept(invitation);
  expect(joined.account_id).toBe(accountId);
  expect(await memberOf(accountId, token, person.userId)).toMatchObject({
    role: "viewer",
    source: "invitation",
  });
});
