/**
 * identity's revocations reach tenancy: a token whose session, person, membership or API key identity
 * revoked (AccessRevoked on identity.events) is refused here within seconds, and still after a restart.
 */

import { signAccessToken } from "@platform/auth";
import { IdentityEvent } from "@platform/contracts";
import { waitFor } from "@platform/testkit";
import { TenancyService } from "../src/service";
import { type Harness, startTenancy } from "./support/harness";

let h: Harness;
beforeAll(async () => {
  h = await startTenancy();
});
afterAll(() => h.close());

async function revoke(scope: string, subjectId: string, accountId: string | null) {
  await h.publish("identity", IdentityEvent.AccessRevoked, `rev_${scope}_${subjectId}`, {
    account_id: accountId,
    scope,
    subject_id: subjectId,
    tokens_issued_before: h.clock.now().getTime(),
    reason: "test",
  });
}

async function refusedWithin(token: string, accountId: string): Promise<number> {
  const started = Date.now();
  await waitFor(
    async () => {
      const res = await h.call("GET", `/v1/organizations/${accountId}`, { token });
      return res.status === 401 ? res : undefined;
    },
    { what: "tenancy to refuse the revoked token", timeoutMs: 10_000, intervalMs: 20 },
  );
  return Date.now() - started;
}

it.each([
  ["session", (userId: string) => `ses_${userId}`, false],
  ["user", (userId: string) => userId, false],
  ["membership", (userId: string) => userId, true],
] as const)(
  "refuses a token once its %s is revoked, and keeps others working",
  async (scope, subject, inAccount) => {
    const { accountId, owner } = await h.organization(`Revoked ${scope}`);
    const bystander = await h.organization(`Bystander ${scope}`);
    expect((await h.call("GET", `/v1/organizations/${accountId}`, { token: owner.token })).status).toBe(200);

    await revoke(scope, subject(owner.userId), inAccount ? accountId : null);
    await refusedWithin(owner.token, accountId);
    const ticket = await h.call("POST", `/v1/organizations/${accountId}/tickets`, {
      token: owner.token,
      body: { subject: "still here?" },
    });
    expect([ticket.status, ticket.body.code]).toEqual([401, "session_revoked"]);
    const other = await h.call("GET", `/v1/organizations/${bystander.accountId}`, {
      token: bystander.owner.token,
    });
    expect(other.status).toBe(200);
  },
);

it("refuses an API key's token issued before its revocation, and accepts the next exchange's", async () => {
  const { accountId } = await h.organization("Keys");
  const keyId = `key_${Date.now()}`;
  const keyToken = (now: Date) =>
    signAccessToken(
      h.signingKey.privateKey,
      h.signingKey.kid,
      { typ: "api_key", sub: keyId, acct: accountId, scope: ["organization.read"] },
      { now },
    );
  const before = await keyToken(h.clock.now());
  expect((await h.call("GET", `/v1/organizations/${accountId}`, { token: before })).status).toBe(200);
  await revoke("api_key", keyId, accountId);
  await refusedWithin(before, accountId);
  expect((await h.call("GET", `/v1/organizations/${accountId}`, { token: before })).body.code).toBe(
    "token_revoked",
  );
  const after = await keyToken(new Date(h.clock.now().getTime() + 1_000));
  expect((await h.call("GET", `/v1/organizations/${accountId}`, { token: after })).status).toBe(200);
});

it("still refuses a revoked token after a restart, from the revocations of the window", async () => {
  const { accountId, owner } = await h.organization("Restarted");
  await revoke("session", `ses_${owner.userId}`, null);
  await refusedWithin(owner.token, accountId);

  const restarted = new TenancyService(
    { ...h.service.config, READ_MODEL_GROUP: `${h.service.config.READ_MODEL_GROUP}.restarted` },
    h.clock,
  );
  await restarted.start();
  try {
    for (const key of h.service.access.keyRing.kids()) expect(restarted.access.keyRing.kids()).toContain(key);
    await expect(restarted.access.verifier.verify(owner.token)).rejects.toMatchObject({
      code: "session_revoked",
    });
    expect(restarted.access.revocations.size).toBeGreaterThan(0);
  } finally {
    await restarted.stop();
  }
});

it("refuses a token that outlives the window revocations are kept for", async () => {
  const { accountId, owner } = await h.organization("Long-lived");
  const longLived = await signAccessToken(
    h.signingKey.privateKey,
    h.signingKey.kid,
    { typ: "user", sub: owner.userId, sid: `ses_long_${owner.userId}`, acct: accountId, role: "owner" },
    { now: h.clock.now(), ttlSeconds: h.service.config.REVOCATION_WINDOW_SECONDS + 1 },
  );
  const res = await h.call("GET", `/v1/organizations/${accountId}`, { token: longLived });
  expect([res.status, res.body.code]).toEqual([401, "token_claims_invalid"]);
});
