/**
 * identity's SCIM directory and tenancy's memberships: people a directory provisions become members
 * at tenancy (seats, number_of_users), a directory group's members reach its team, and identity
 * refuses a create over the seat limit on its own, from what it projects of tenancy's events
 * (services never call each other). Both services run in this process on real Postgres, Kafka and
 * the registry (support/in-process.ts).
 */
import { uniqueName, waitFor } from "@platform/testkit";
import { type InProcessPlatform, startInProcess } from "./support/in-process";
import { call, organizationOf, PASSWORD, scimClient } from "./support/platform";

let p: InProcessPlatform;
beforeAll(async () => {
  p = await startInProcess();
}, 120_000);
afterAll(() => p?.close());

it("makes SCIM users tenancy members who hold seats, puts a SCIM group's members in its team, and refuses a create over the limit", async () => {
  const email = `${uniqueName("owner")}@example.com`;
  await call(p.urls.identity, "POST", "/v1/users", { body: { email, password: PASSWORD } });
  const session = await call(p.urls.identity, "POST", "/v1/sessions", {
    body: { email, password: PASSWORD },
  });
  const { accountId, token } = await organizationOf(
    { token: session.body.access_token },
    "E2E Provisioning",
    p.urls,
  );
  const { body: issued } = await call(p.urls.identity, "POST", `/v1/organizations/${accountId}/scim-tokens`, {
    token,
  });
  const scim = scimClient(p.urls.identity, issued.token);
  const user = (userName: string) => ({
    schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
    userName,
    name: { givenName: "Pat", familyName: "Directory" },
    emails: [{ value: userName, primary: true }],
    active: true,
  });
  const provisioned: string[] = [];
  for (const n of [1, 2, 3]) {
    const created = await scim("POST", "/Users", user(`${uniqueName(`scim${n}`)}@example.com`));
    expect(created.status).toBe(201);
    provisioned.push(created.body.id);
  }

  const tenancy = (path: string) =>
    call(p.urls.tenancy, "GET", `/v1/organizations/${accountId}${path}`, { token });
  const members = await waitFor(
    async () => {
      const res = await tenancy("/members");
      return res.body?.data?.length === 4
        ? (res.body.data as { user_id: string; source: string }[])
        : undefined;
    },
    { timeoutMs: 30_000, what: "the three SCIM users to become members at tenancy" },
  );
  expect(
    members
      .filter((m) => m.source === "scim")
      .map((m) => m.user_id)
      .sort(),
  ).toEqual([...provisioned].sort());
  const traits = await waitFor(
    async () => {
      const res = await tenancy("/traits");
      return res.body?.number_of_users === 4 ? res.body : undefined;
    },
    { timeoutMs: 30_000, what: "number_of_users to count them" },
  );
  expect(traits.number_of_users).toBe(4);

  const group = await scim("POST", "/Groups", {
    schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"],
    displayName: "Field Team",
    members: provisioned.slice(0, 2).map((value) => ({ value })),
  });
  expect(group.status).toBe(201);
  const team = await waitFor(
    async () => {
      const res = await tenancy(`/groups/grp_dir_${group.body.id}/members`);
      return res.body?.data?.length === 2 ? (res.body.data as { user_id: string }[]) : undefined;
    },
    { timeoutMs: 30_000, what: "the group's members to reach the team" },
  );
  expect(team.map((m) => m.user_id).sort()).toEqual(provisioned.slice(0, 2).sort());

  // Without a plan an organization has 5 seats: the owner and three people hold four.
  expect((await scim("POST", "/Users", user(`${uniqueName("scim4")}@example.com`))).status).toBe(201);
  const over = await scim("POST", "/Users", user(`${uniqueName("scim5")}@example.com`));
  expect([over.status, over.body]).toEqual([
    422,
    {
      schemas: ["urn:ietf:params:scim:api:messages:2.0:Error"],
      status: "422",
      detail: expect.stringContaining("seat limit reached: the plan allows 5 users"),
    },
  ]);
});
