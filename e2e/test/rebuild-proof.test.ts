/**
 * The rebuild proof across services (docs/architecture.md, "The rebuild proof"): identity and tenancy
 * run in this process on one set of topics (support/in-process.ts), a flow crosses both (an
 * organization, an invitation accepted, a role changed and a member removed, whose revocations
 * identity appends, groups, a ticket, an API key), and then each service, rebuilt from its own log
 * and the other's topic, equals what it was, row by row. `platform test` runs the same proof on the
 * services it started (infra/bin/rebuild-proof); this one runs with every suite.
 */
import { privilegedUrlOf, proveRebuild } from "@platform/event-sourcing";
import { infrastructure, uniqueName, waitFor } from "@platform/testkit";
import { TABLE_CLASSES as IDENTITY_TABLES } from "../../services/identity/src/tables";
import { TABLE_CLASSES as TENANCY_TABLES } from "../../services/tenancy/src/tables";
import { type InProcessPlatform, startInProcess } from "./support/in-process";
import { call, organizationOf, PASSWORD } from "./support/platform";

let p: InProcessPlatform;
beforeAll(async () => {
  p = await startInProcess();
  await flow();
  // At rest: every event published and applied by both services, including what one's reaction
  // appended for the other to read.
  for (let round = 0; round < 2; round++) {
    await p.identity.service.settled();
    await p.tenancy.service.settled();
  }
}, 240_000);
afterAll(() => p?.close());

async function signUp(email: string) {
  const created = await call(p.urls.identity, "POST", "/v1/users", { body: { email, password: PASSWORD } });
  const session = await call(p.urls.identity, "POST", "/v1/sessions", {
    body: { email, password: PASSWORD },
  });
  return { userId: created.body.user_id as string, token: session.body.access_token as string };
}

async function ok(base: string, method: string, path: string, token: string, body?: unknown) {
  const res = await call(base, method, path, { token, body });
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

async function flow(): Promise<void> {
  const owner = await signUp(`${uniqueName("owner")}@example.com`);
  const { accountId, token } = await organizationOf(owner, "Rebuilt Across", p.urls);
  const org = `/v1/organizations/${accountId}`;

  // An invitation, accepted at identity by signing up with the link: a member at tenancy.
  const email = `${uniqueName("invitee")}@example.com`;
  await ok(p.urls.tenancy, "POST", `${org}/invitations`, token, { email, role: "admin" });
  const mail = await waitFor(
    () =>
      p.tenancy.service.db.outboundEmail
        .findFirst({ where: { recipient: email, template: "invitation" } })
        .then((found) => found ?? undefined),
    { what: "the invitation e-mail" },
  );
  const link = new URL((mail.variables as { link: string }).link);
  const invitationToken = link.searchParams.get("token");
  const joined = await waitFor(
    async () => {
      const res = await call(p.urls.identity, "POST", "/v1/users", {
        body: { email, password: PASSWORD, invitation_token: invitationToken },
      });
      return res.status === 201 ? (res.body as { user_id: string }) : undefined;
    },
    { timeoutMs: 60_000, what: "identity to accept the invitation" },
  );
  await waitFor(
    async () => {
      const res = await call(p.urls.tenancy, "GET", `${org}/members`, { token });
      return res.body.data?.some((m: { user_id: string }) => m.user_id === joined.user_id) || undefined;
    },
    { timeoutMs: 60_000, what: "the invitee to become a member at tenancy" },
  );

  // The member's key, then their role changed and their membership ended at tenancy: identity revokes.
  const member = await call(p.urls.identity, "POST", "/v1/sessions", {
    body: { email, password: PASSWORD, account_id: accountId },
  });
  await ok(p.urls.identity, "POST", `${org}/api-keys`, member.body.access_token, {
    name: "member's key",
    scopes: ["members.read"],
  });
  await ok(p.urls.tenancy, "PATCH", `${org}/members/${joined.user_id}`, token, { role: "member" });
  await ok(p.urls.tenancy, "DELETE", `${org}/members/${joined.user_id}`, token);

  // tenancy's own state and identity's.
  const team = await ok(p.urls.tenancy, "POST", `${org}/groups`, token, { type: "team", name: "Rockets" });
  await ok(p.urls.tenancy, "PATCH", `${org}/groups/${team.group_id}`, token, { name: "Comets" });
  await ok(p.urls.tenancy, "POST", `${org}/tickets`, token, { subject: "Help with invoices" });
  await ok(p.urls.identity, "PUT", `${org}/roles/deployer`, token, { permissions: ["members.read"] });
}

it.each([
  ["identity", () => p.identity, IDENTITY_TABLES],
  ["tenancy", () => p.tenancy, TENANCY_TABLES],
] as const)("rebuilds %s from the logs, equal to the live copy", async (_name, harness, classes) => {
  const { service, db } = harness();
  const report = await proveRebuild({
    databaseUrl: privilegedUrlOf(db.url, infrastructure().postgresAdminUrl),
    classes,
    rebuild: () => service.rebuildAll(),
  });
  expect(report.differences).toEqual([]);
  expect(report.proven.reduce((rows, table) => rows + table.rows, 0)).toBeGreaterThan(10);
});
