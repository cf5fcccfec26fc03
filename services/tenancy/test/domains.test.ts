/**
 * Organization domains proved by DNS TXT records, and auto-join by verified address, against real
 * Postgres (row-level security in force) and Kafka. DNS is a fake: a map of TXT records by name.
 */

import { randomBytes, randomUUID } from "node:crypto";
import { IdentityEvent } from "@platform/contracts";
import { lookupAcrossTenants } from "@platform/database";
import type { ProjectedEvent } from "@platform/event-sourcing";
import { waitFor } from "@platform/testkit";
import type { TxtResolver } from "../src/app/dns";
import { CROSS_TENANT } from "../src/app/tenant";
import { type Harness, startTenancy } from "./support/harness";

const SEAT_LIMIT = 3;

let h: Harness;
const txt = new Map<string, string[][]>();
const dnsFailures = new Map<string, string>();

const fakeDns: TxtResolver = async (name) => {
  const failure = dnsFailures.get(name);
  if (failure) throw Object.assign(new Error(`queryTxt ${failure} ${name}`), { code: failure });
  const records = txt.get(name);
  if (!records) throw Object.assign(new Error(`queryTxt ENOTFOUND ${name}`), { code: "ENOTFOUND" });
  return records;
};

beforeAll(async () => {
  h = await startTenancy({ SEAT_LIMIT_WITHOUT_PLAN: String(SEAT_LIMIT) }, { dns: fakeDns });
});
afterAll(async () => {
  await h?.close();
});

const call: Harness["call"] = (method, path, options) => h.call(method, path, options);

/** Which organization holds the domain's claim, read the one way verified_domains allows across tenants. */
function claimOf(domain: string) {
  return h.service.db.$transaction((tx) =>
    lookupAcrossTenants(tx, CROSS_TENANT.verifiedDomains, domain, () =>
      tx.verifiedDomain.findUnique({ where: { domain } }),
    ),
  );
}

async function events(aggregateId: string): Promise<{ type: string; payload: Record<string, unknown> }[]> {
  const rows = await h.service.db.$queryRawUnsafe<{ event_type: string; payload: Record<string, unknown> }[]>(
    "SELECT event_type, payload FROM platform_events WHERE aggregate_id = $1 ORDER BY version",
    aggregateId,
  );
  return rows.map((r) => ({ type: r.event_type.replace("platform.tenancy.", ""), payload: r.payload }));
}

const uniqueDomain = () => `acme-${randomBytes(5).toString("hex")}.example`;

/** identity's signup for an address at a chosen domain (h.person() always uses example.com). */
async function personAt(domain: string, verified: boolean): Promise<{ userId: string; email: string }> {
  const userId = `usr_${randomBytes(8).toString("hex")}`;
  const email = `${userId}@${domain}`;
  await h.publish("identity", IdentityEvent.UserSignedUp, userId, {
    account_id: null,
    user_id: userId,
    email,
    given_name: null,
    family_name: null,
    display_name: null,
    signup_source: "web",
    email_verified: verified,
  });
  await waitFor(() => h.service.db.person.findUnique({ where: { userId } }).then((p) => p ?? undefined), {
    what: `person ${userId}`,
  });
  return { userId, email };
}

/** Runs one auto-join handler as the processes projector would, in its own transaction. */
async function deliver(type: string, data: Record<string, unknown>): Promise<void> {
  const handler = h.service.autoJoin.handlers()[type];
  if (!handler) throw new Error(`no auto-join handler for ${type}`);
  const event: ProjectedEvent = {
    eventId: randomUUID(),
    type,
    aggregateId: String(data.user_id),
    version: 1,
    tenantId: undefined,
    occurredAt: h.clock.now(),
    data: {
      occurred_at: h.clock.now().getTime(),
      actor: { type: "system", id: null, ip_address: null, user_agent: null },
      ...data,
    },
    topic: h.topics.identity,
    partition: 0,
    offset: "0",
  };
  await h.service.db.$transaction((tx) => handler(tx, event));
}

async function membersOf(accountId: string, token: string): Promise<{ user_id: string; source: string }[]> {
  const res = await h.call("GET", `/v1/organizations/${accountId}/members`, { token });
  expect(res.status).toBe(200);
  return res.body.data;
}

/** Adds a domain and publishes its TXT record; verifies it unless told not to. */
async function claimed(
  org: { accountId: string; owner: { token: string } },
  domain: string,
  options: { autoJoin?: boolean; verify?: boolean } = {},
) {
  const added = await call("POST", `/v1/organizations/${org.accountId}/domains`, {
    token: org.owner.token,
    body: { domain, auto_join: options.autoJoin ?? false },
  });
  expect(added.status).toBe(201);
  // Several claimants may publish at the same name; DNS answers all their records.
  txt.set(added.body.txt_record_name, [
    ...(txt.get(added.body.txt_record_name) ?? []),
    [added.body.txt_record_value],
  ]);
  if (options.verify === false) return added.body;
  const verified = await call(
    "POST",
    `/v1/organizations/${org.accountId}/domains/${added.body.domain_id}/verify`,
    { token: org.owner.token },
  );
  expect(verified.status).toBe(200);
  return verified.body;
}

describe("claiming a domain", () => {
  it("answers the TXT record to publish, refuses until it is there, then verifies (DomainVerified)", async () => {
    const org = await h.organization();
    const domain = uniqueDomain();
    const added = await call("POST", `/v1/organizations/${org.accountId}/domains`, {
      token: org.owner.token,
      body: { domain: `  ${domain.toUpperCase()} ` },
    });
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({
      domain,
      txt_record_name: `_platform-verification.${domain}`,
      auto_join: false,
      verified_at: null,
    });
    expect(added.body.txt_record_value).toMatch(/^platform-verification=[0-9a-f]{32}$/);
    const domainId = added.body.domain_id;
    expect(await events(domainId)).toEqual([
      {
        type: "DomainAdded",
        payload: expect.objectContaining({
          account_id: org.accountId,
          domain_id: domainId,
          domain,
          auto_join: false,
          txt_record_name: added.body.txt_record_name,
          txt_record_value: added.body.txt_record_value,
          actor: expect.objectContaining({ type: "user", id: org.owner.userId }),
        }),
      },
    ]);

    const verify = () =>
      call("POST", `/v1/organizations/${org.accountId}/domains/${domainId}/verify`, {
        token: org.owner.token,
      });
    const missing = await verify();
    expect(missing.status).toBe(409);
    expect(missing.body).toMatchObject({
      code: "domain_unverified",
      record_name: added.body.txt_record_name,
      record_value: added.body.txt_record_value,
      found: 0,
    });

    txt.set(added.body.txt_record_name, [["v=spf1 -all"], ["platform-verification=somebody-else"]]);
    const wrong = await verify();
    expect([wrong.status, wrong.body.code, wrong.body.found]).toEqual([409, "domain_unverified", 2]);

    // Long TXT values arrive split into several strings; the record is their concatenation.
    const value: string = added.body.txt_record_value;
    txt.set(added.body.txt_record_name, [["v=spf1 -all"], [value.slice(0, 10), value.slice(10)]]);
    const ok = await verify();
    expect(ok.status).toBe(200);
    expect(ok.body.verified_at).toEqual(expect.any(String));
    expect((await events(domainId)).map((e) => e.type)).toEqual(["DomainAdded", "DomainVerified"]);
    expect((await events(domainId))[1]?.payload).toMatchObject({ domain, auto_join: false });
    expect(await claimOf(domain)).toEqual({
      domain,
      accountId: org.accountId,
      autoJoin: false,
    });

    const again = await verify();
    expect(again.status).toBe(200);
    expect((await events(domainId)).length).toBe(2);

    const list = await call("GET", `/v1/organizations/${org.accountId}/domains`, { token: org.owner.token });
    expect(list.status).toBe(200);
    expect(list.body.data).toEqual([expect.objectContaining({ domain_id: domainId, domain })]);

    const duplicate = await call("POST", `/v1/organizations/${org.accountId}/domains`, {
      token: org.owner.token,
      body: { domain },
    });
    expect([duplicate.status, duplicate.body.code]).toEqual([409, "domain_exists"]);
  });

  it.each([
    ["empty", ""],
    ["an underscore", "my_corp.example"],
    ["a trailing dot", "acme.example."],
    ["a leading hyphen", "-acme.example"],
    ["an empty label", "acme..example"],
    ["a space", "ac me.example"],
    ["a 64-character label", `${"a".repeat(64)}.example`],
    ["more than 253 characters", `${Array.from({ length: 5 }, () => "a".repeat(60)).join(".")}.example`],
    ["an IP address", "10.0.0.1"],
    ["a URL", "https://acme.example"],
    ["not a string", 42],
  ])("refuses a name with %s (400 invalid_request_body)", async (_case, domain) => {
    const org = await h.organization();
    const res = await call("POST", `/v1/organizations/${org.accountId}/domains`, {
      token: org.owner.token,
      body: { domain },
    });
    expect([res.status, res.body.code]).toEqual([400, "invalid_request_body"]);
  });

  it.each([
    "com",
    "co.uk",
    "github.io",
    "gmail.com",
    "outlook.com",
    "yahoo.com",
    "hotmail.com",
    "icloud.com",
    "mail.yahoo.com",
    "GMail.com",
  ])("refuses %s as not claimable (400 domain_not_claimable), writing nothing", async (domain) => {
    const org = await h.organization();
    const res = await call("POST", `/v1/organizations/${org.accountId}/domains`, {
      token: org.owner.token,
      body: { domain },
    });
    expect([res.status, res.body.code]).toEqual([400, "domain_not_claimable"]);
    const list = await call("GET", `/v1/organizations/${org.accountId}/domains`, { token: org.owner.token });
    expect(list.body.data).toEqual([]);
  });

  it("keeps a verified domain to its organization (409 domain_taken), on add and on a late verify", async () => {
    const first = await h.organization();
    const second = await h.organization();
    const domain = uniqueDomain();
    // The second organization added it too, before the first one verified.
    const early = await claimed(second, domain, { verify: false });
    await claimed(first, domain);

    const late = await call(
      "POST",
      `/v1/organizations/${second.accountId}/domains/${early.domain_id}/verify`,
      {
        token: second.owner.token,
      },
    );
    expect([late.status, late.body.code]).toEqual([409, "domain_taken"]);
    expect((await events(early.domain_id)).map((e) => e.type)).toEqual(["DomainAdded"]);

    const third = await h.organization();
    const taken = await call("POST", `/v1/organizations/${third.accountId}/domains`, {
      token: third.owner.token,
      body: { domain },
    });
    expect([taken.status, taken.body.code]).toEqual([409, "domain_taken"]);
    expect((await claimOf(domain))?.accountId).toBe(first.accountId);
  });

  it("answers 503 dns_unavailable when DNS fails, and 409 when the name has no TXT data", async () => {
    const org = await h.organization();
    const added = await claimed(org, uniqueDomain(), { verify: false });
    const verify = () =>
      call("POST", `/v1/organizations/${org.accountId}/domains/${added.domain_id}/verify`, {
        token: org.owner.token,
      });

    dnsFailures.set(added.txt_record_name, "ESERVFAIL");
    const outage = await verify();
    expect([outage.status, outage.body.code]).toEqual([503, "dns_unavailable"]);

    dnsFailures.set(added.txt_record_name, "ENODATA");
    const noData = await verify();
    expect([noData.status, noData.body.code, noData.body.found]).toEqual([409, "domain_unverified", 0]);

    dnsFailures.delete(added.txt_record_name);
    expect((await verify()).status).toBe(200);
  });

  it("changes auto_join only on a verified domain, in both tables", async () => {
    const org = await h.organization();
    const domain = uniqueDomain();
    const pending = await claimed(org, domain, { verify: false });
    const path = `/v1/organizations/${org.accountId}/domains/${pending.domain_id}`;
    const early = await call("PATCH", path, { token: org.owner.token, body: { auto_join: true } });
    expect([early.status, early.body.code]).toEqual([409, "domain_unverified"]);
    const bad = await call("PATCH", path, { token: org.owner.token, body: { auto_join: "yes" } });
    expect([bad.status, bad.body.code]).toEqual([400, "invalid_request_body"]);

    await call("POST", `${path}/verify`, { token: org.owner.token });
    const on = await call("PATCH", path, { token: org.owner.token, body: { auto_join: true } });
    expect([on.status, on.body.auto_join]).toEqual([200, true]);
    expect((await claimOf(domain))?.autoJoin).toBe(true);
  });
});

describe("auto-join", () => {
  it("adds a person with a verified address at the domain once (MemberAdded, source auto_join)", async () => {
    const org = await h.organization();
    const domain = uniqueDomain();
    // Signed up before the domain was verified, so nothing but the delivery below can add them.
    const person = await personAt(domain, true);
    await claimed(org, domain, { autoJoin: true });

    await deliver(IdentityEvent.EmailVerified, { user_id: person.userId, email: person.email });
    const joined = (await membersOf(org.accountId, org.owner.token)).find((m) => m.user_id === person.userId);
    expect(joined).toMatchObject({ source: "auto_join" });
    const added = await events(`${org.accountId}:${person.userId}`);
    expect(added).toEqual([
      {
        type: "MemberAdded",
        payload: expect.objectContaining({
          user_id: person.userId,
          group_id: org.accountId,
          group_type: "account",
          role: "member",
          source: "auto_join",
          actor: expect.objectContaining({ type: "system" }),
        }),
      },
    ]);

    // Redelivered, or the signup of the same verified address: nothing twice.
    await deliver(IdentityEvent.EmailVerified, { user_id: person.userId, email: person.email });
    await deliver(IdentityEvent.UserSignedUp, {
      user_id: person.userId,
      email: person.email,
      email_verified: true,
    });
    expect((await events(`${org.accountId}:${person.userId}`)).length).toBe(1);
  });

  it("does not add unverified addresses, other domains, or anyone when auto_join is off", async () => {
    const org = await h.organization();
    const domain = uniqueDomain();
    await claimed(org, domain, { autoJoin: true });
    const unverified = await personAt(domain, false);
    await deliver(IdentityEvent.UserSignedUp, {
      user_id: unverified.userId,
      email: unverified.email,
      email_verified: false,
    });
    const subdomain = `${randomBytes(4).toString("hex")}@eng.${domain}`;
    await deliver(IdentityEvent.EmailVerified, { user_id: "usr_sub", email: subdomain });

    const off = await h.organization();
    const offDomain = uniqueDomain();
    const verified = await personAt(offDomain, true);
    await claimed(off, offDomain, { autoJoin: false });
    await deliver(IdentityEvent.EmailVerified, { user_id: verified.userId, email: verified.email });

    expect((await membersOf(org.accountId, org.owner.token)).map((m) => m.user_id)).toEqual([
      org.owner.userId,
    ]);
    expect((await membersOf(off.accountId, off.owner.token)).map((m) => m.user_id)).toEqual([
      off.owner.userId,
    ]);
  });

  it("trusts a provisioned address only in the organization that provisioned it", async () => {
    const org = await h.organization();
    const other = await h.organization();
    const domain = uniqueDomain();
    await claimed(org, domain, { autoJoin: true });
    const provisioned = (accountId: string, userId: string) =>
      deliver(IdentityEvent.UserProvisioned, {
        account_id: accountId,
        user_id: userId,
        email: `${userId}@${domain}`,
        given_name: null,
        family_name: null,
        display_name: null,
        source: "saml",
        external_id: null,
        connection_id: "conn_1",
        role: "member",
        created: true,
      });
    await provisioned(other.accountId, "usr_foreign");
    await provisioned(org.accountId, "usr_own");
    expect((await membersOf(org.accountId, org.owner.token)).map((m) => m.user_id).sort()).toEqual(
      [org.owner.userId, "usr_own"].sort(),
    );
  });

  it("skips people once the seats are full", async () => {
    const org = await h.organization();
    const domain = uniqueDomain();
    await claimed(org, domain, { autoJoin: true });
    const people = Array.from({ length: SEAT_LIMIT }, () => `usr_${randomBytes(6).toString("hex")}`);
    for (const userId of people)
      await deliver(IdentityEvent.EmailVerified, { user_id: userId, email: `${userId}@${domain}` });
    // The owner holds one of the seats.
    expect((await membersOf(org.accountId, org.owner.token)).length).toBe(SEAT_LIMIT);
  });

  it("stops once the domain is removed (DomainRemoved), and frees it for another organization", async () => {
    const org = await h.organization();
    const domain = uniqueDomain();
    const claim = await claimed(org, domain, { autoJoin: true });
    const removed = await call("DELETE", `/v1/organizations/${org.accountId}/domains/${claim.domain_id}`, {
      token: org.owner.token,
    });
    expect(removed.status).toBe(204);
    expect((await events(claim.domain_id)).map((e) => e.type)).toEqual([
      "DomainAdded",
      "DomainVerified",
      "DomainRemoved",
    ]);
    expect(await claimOf(domain)).toBeNull();

    const person = await personAt(domain, true);
    await deliver(IdentityEvent.EmailVerified, { user_id: person.userId, email: person.email });
    expect((await membersOf(org.accountId, org.owner.token)).map((m) => m.user_id)).toEqual([
      org.owner.userId,
    ]);

    const next = await h.organization();
    expect((await claimed(next, domain)).verified_at).toEqual(expect.any(String));
  });
});

describe("tenant isolation", () => {
  it("hides one organization's domains from another: 403 on its path, 404 on one's own", async () => {
    const owner = await h.organization();
    const intruder = await h.organization();
    const claim = await claimed(owner, uniqueDomain(), { verify: false });
    const theirs = `/v1/organizations/${owner.accountId}/domains`;
    const mine = `/v1/organizations/${intruder.accountId}/domains`;
    const as = { token: intruder.owner.token };

    expect((await call("GET", theirs, as)).status).toBe(403);
    expect((await call("POST", `${theirs}/${claim.domain_id}/verify`, as)).status).toBe(403);
    expect((await call("DELETE", `${theirs}/${claim.domain_id}`, as)).status).toBe(403);

    expect((await call("GET", mine, as)).body.data).toEqual([]);
    for (const [method, path, body] of [
      ["POST", `${mine}/${claim.domain_id}/verify`, undefined],
      ["PATCH", `${mine}/${claim.domain_id}`, { auto_join: true }],
      ["DELETE", `${mine}/${claim.domain_id}`, undefined],
    ] as const) {
      const res = await call(method, path, { ...as, body });
      expect([method, res.status, res.body.code]).toEqual([method, 404, "domain_not_found"]);
    }
    expect((await events(claim.domain_id)).map((e) => e.type)).toEqual(["DomainAdded"]);
  });

  it("lets members list domains but not change them", async () => {
    const org = await h.organization();
    const member = await h.token(org.owner.userId, org.accountId, "member");
    const path = `/v1/organizations/${org.accountId}/domains`;
    expect((await call("GET", path, { token: member })).status).toBe(200);
    const res = await call("POST", path, { token: member, body: { domain: uniqueDomain() } });
    expect(res.status).toBe(403);
    expect((await call("GET", path)).status).toBe(401);
  });
});
