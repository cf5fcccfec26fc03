/**
 * People and sessions against real Postgres, Kafka and the registry: sign-up, verification,
 * sign-in, refresh rotation, sign-out, password reset, account switching, brute-force throttling.
 */
import { waitFor } from "@platform/testkit";
import { type Harness, lastEmailToken, startIdentity } from "./support/harness";

let h: Harness;
beforeAll(async () => {
  h = await startIdentity({ SIGN_IN_FAILURES_PER_ACCOUNT: "3", SIGN_IN_FAILURES_PER_ADDRESS: "1000" });
});
afterAll(() => h.close());

let counter = 0;
const password = "correct horse battery staple";
const newEmail = () => `person${++counter}.${Date.now()}@example.com`;

async function signUp(email = newEmail()) {
  const res = await h.call("POST", "/v1/users", { body: { email, password, given_name: "Ada" } });
  expect(res.status).toBe(201);
  return { email, userId: res.body.user_id as string };
}

async function signIn(email: string, extra: Record<string, unknown> = {}) {
  return h.call("POST", "/v1/sessions", { body: { email, password, ...extra } });
}

async function eventTypes(aggregateId: string): Promise<string[]> {
  const rows = await h.service.db.$queryRawUnsafe<{ event_type: string }[]>(
    "SELECT event_type FROM platform_events WHERE aggregate_id = $1 ORDER BY version",
    aggregateId,
  );
  return rows.map((r) => r.event_type.replace("platform.identity.", ""));
}

describe("sign-up", () => {
  it("creates the person, queues a verification link and records user.signed_up", async () => {
    const { email, userId } = await signUp();
    expect(userId).toMatch(/^usr_/);
    // The hash is in the secret store (user_passwords), apart from the person's projected row.
    const user = await h.service.db.userPassword.findUniqueOrThrow({ where: { userId } });
    expect(user.passwordHash).toMatch(/^scrypt\$/);
    expect(user.passwordHash).not.toContain(password);
    expect(await eventTypes(userId)).toEqual(["UserSignedUp"]);
    const [event] = await h.service.db.$queryRawUnsafe<{ payload: Record<string, unknown> }[]>(
      "SELECT payload FROM platform_events WHERE aggregate_id = $1",
      userId,
    );
    expect(event?.payload).toMatchObject({ email, signup_source: "web", email_verified: false });
    expect(JSON.stringify(event?.payload)).not.toContain(password);

    const token = await lastEmailToken(h.service, email, "verify_email");
    expect((await h.call("POST", "/v1/email/verify", { body: { token } })).status).toBe(204);
    expect(
      (await h.service.db.user.findUniqueOrThrow({ where: { id: userId } })).emailVerifiedAt,
    ).not.toBeNull();
    // One-time: the same link again is refused.
    const again = await h.call("POST", "/v1/email/verify", { body: { token } });
    expect([again.status, again.body.code]).toEqual([400, "token_invalid"]);
  });

  it.each([
    ["a malformed e-mail", { email: "not-an-email", password }, "email_invalid"],
    ["a missing e-mail", { password }, "email_invalid"],
    ["a short password", { email: "short@example.com", password: "abc123" }, "password_weak"],
    [
      "a password that is the address",
      { email: "alice.smith@example.com", password: "alice.smith2024!" },
      "password_weak",
    ],
    [
      "a password of one repeated character",
      { email: "rep@example.com", password: "aaaaaaaaaaaaaaa" },
      "password_weak",
    ],
  ])("refuses %s with a problem+json and writes nothing", async (_case, body, code) => {
    const before = await h.service.db.user.count();
    const res = await h.call("POST", "/v1/users", { body });
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toContain("application/problem+json");
    expect(res.body.code).toBe(code);
    expect(await h.service.db.user.count()).toBe(before);
  });

  it("answers an address already signed up, in any letter case, as a new one, and e-mails its owner instead", async () => {
    const { email, userId } = await signUp();
    const events = await h.service.db.$queryRawUnsafe<{ n: bigint }[]>(
      "SELECT count(*) AS n FROM platform_events",
    );
    const fresh = await h.call("POST", "/v1/users", { body: { email: newEmail(), password } });
    const taken = await h.call("POST", "/v1/users", { body: { email: email.toUpperCase(), password } });
    expect([taken.status, taken.headers.get("content-type")]).toEqual([
      fresh.status,
      fresh.headers.get("content-type"),
    ]);
    expect(Object.keys(taken.body)).toEqual(Object.keys(fresh.body));
    expect(taken.body).toEqual({ user_id: expect.stringMatching(/^usr_/), email_verified: false });
    expect(taken.body.user_id).not.toBe(userId);
    expect(await h.service.db.user.count({ where: { id: taken.body.user_id } })).toBe(0);

    const after = await h.service.db.$queryRawUnsafe<{ n: bigint }[]>(
      "SELECT count(*) AS n FROM platform_events",
    );
    expect(after[0]?.n).toBe((events[0]?.n ?? 0n) + 1n); // the fresh address's UserSignedUp only
    const told = await h.service.db.outboundEmail.findMany({ where: { recipient: email } });
    expect(told.map((e) => e.template).sort()).toEqual(["account_exists", "verify_email"]);
    // The password given with the second attempt does not open the account.
    const hijack = await h.call("POST", "/v1/users", {
      body: { email, password: "another long passphrase!" },
    });
    expect(hijack.status).toBe(201);
    expect((await signIn(email, { password: "another long passphrase!" })).status).toBe(401);
  });

  it("lets only one of two concurrent sign-ups with the same address create the account; all answer alike", async () => {
    const email = newEmail();
    const results = await Promise.all(
      [1, 2, 3].map(() => h.call("POST", "/v1/users", { body: { email, password } })),
    );
    expect(results.map((r) => r.status)).toEqual([201, 201, 201]);
    expect(await h.service.db.user.count({ where: { email } })).toBe(1);
    expect(
      await h.service.db.outboundEmail.count({ where: { recipient: email, template: "account_exists" } }),
    ).toBe(2);
  });
});

describe("sessions", () => {
  it("signs in, refreshes with rotation, and signs out", async () => {
    const { email, userId } = await signUp();
    const signedIn = await signIn(email);
    expect(signedIn.status).toBe(201);
    const { access_token, refresh_token, session_id } = signedIn.body;
    const me = await h.call("GET", "/v1/me", { token: access_token });
    expect([me.status, me.body.user_id, me.body.email]).toEqual([200, userId, email]);

    const refreshed = await h.call("POST", "/v1/sessions/refresh", { body: { refresh_token } });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.refresh_token).not.toBe(refresh_token);
    expect(refreshed.body.session_id).toBe(session_id);

    expect(
      (await h.call("DELETE", "/v1/sessions/current", { token: refreshed.body.access_token })).status,
    ).toBe(204);
    const afterSignOut = await h.call("POST", "/v1/sessions/refresh", {
      body: { refresh_token: refreshed.body.refresh_token },
    });
    expect([afterSignOut.status, afterSignOut.body.code]).toEqual([401, "refresh_token_invalid"]);
    // identity checks its own sessions: the access token stops working at once.
    expect((await h.call("GET", "/v1/me", { token: refreshed.body.access_token })).status).toBe(401);
    expect(await eventTypes(userId)).toEqual(["UserSignedUp", "UserSignedIn", "UserSignedOut"]);
  });

  it("ends the session when a rotated-away refresh token is presented again (token theft)", async () => {
    const { email } = await signUp();
    const { refresh_token } = (await signIn(email)).body;
    const rotated = await h.call("POST", "/v1/sessions/refresh", { body: { refresh_token } });
    expect(rotated.status).toBe(200);
    const replay = await h.call("POST", "/v1/sessions/refresh", { body: { refresh_token } });
    expect(replay.status).toBe(401);
    // The legitimate holder's newer token is dead too: the session itself was revoked.
    const legit = await h.call("POST", "/v1/sessions/refresh", {
      body: { refresh_token: rotated.body.refresh_token },
    });
    expect(legit.status).toBe(401);
  });

  it("lets one of two concurrent refreshes with the same token win", async () => {
    const { email } = await signUp();
    const { refresh_token } = (await signIn(email)).body;
    const results = await Promise.all(
      [1, 2].map(() => h.call("POST", "/v1/sessions/refresh", { body: { refresh_token } })),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
  });

  it.each([
    ["no token", undefined],
    ["a malformed token", "not.a.jwt"],
    ["a forged token", "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ1c3JfMSJ9."],
  ])("refuses %s with 401", async (_case, token) => {
    const res = await h.call("GET", "/v1/me", { token });
    expect(res.status).toBe(401);
    expect(res.body.code).toMatch(/^token_/);
  });

  it("refuses an expired access token", async () => {
    const { email } = await signUp();
    const { access_token } = (await signIn(email)).body;
    h.clock.advance(16 * 60_000);
    try {
      const res = await h.call("GET", "/v1/me", { token: access_token });
      expect([res.status, res.body.code]).toEqual([401, "token_expired"]);
    } finally {
      h.clock.advance(-16 * 60_000);
    }
  });

  it("switches the session's account to another organization the person belongs to (account.switched)", async () => {
    const { email, userId } = await signUp();
    await h.addMember("org_a", userId, "admin");
    await h.addMember("org_b", userId, "member");
    const signedIn = await signIn(email, { account_id: "org_a" });
    expect(signedIn.body.account_id).toBe("org_a");
    const switched = await h.call("POST", "/v1/sessions/current/account", {
      token: signedIn.body.access_token,
      body: { account_id: "org_b" },
    });
    expect([switched.status, switched.body.account_id]).toEqual([200, "org_b"]);
    const me = await h.call("GET", "/v1/me", { token: switched.body.access_token });
    expect([me.body.account_id, me.body.role]).toEqual(["org_b", "member"]);
    expect(me.body.accounts).toHaveLength(2);
    const refused = await h.call("POST", "/v1/sessions/current/account", {
      token: switched.body.access_token,
      body: { account_id: "org_elsewhere" },
    });
    expect([refused.status, refused.body.code]).toEqual([404, "account_not_member"]);
    expect(await eventTypes(userId)).toContain("AccountSwitched");
  });
});

describe("brute-force protection", () => {
  it("throttles an account after repeated failures, even with the right password, and says when to retry", async () => {
    const { email } = await signUp();
    for (let i = 0; i < 3; i++) {
      const res = await h.call("POST", "/v1/sessions", { body: { email, password: "wrong password!!" } });
      expect([res.status, res.body.code]).toEqual([401, "credentials_invalid"]);
    }
    const throttled = await signIn(email);
    expect([throttled.status, throttled.body.code]).toEqual([429, "sign_in_throttled"]);
    expect(throttled.body.retryAfterSeconds).toBeGreaterThan(0);
    // RFC 9110 §10.2.3: the header clients and proxies read, in whole seconds.
    expect(throttled.headers.get("retry-after")).toBe(String(Math.ceil(throttled.body.retryAfterSeconds)));
  });

  it("gives the same answer for an unknown address as for a wrong password", async () => {
    const unknown = await h.call("POST", "/v1/sessions", { body: { email: newEmail(), password } });
    expect([unknown.status, unknown.body.code]).toEqual([401, "credentials_invalid"]);
  });
});

describe("password reset", () => {
  it("resets with the e-mailed link, ends every session, and the old password stops working", async () => {
    const { email, userId } = await signUp();
    const session = (await signIn(email)).body;
    const forgot = await h.call("POST", "/v1/password/forgot", { body: { email } });
    expect(forgot.status).toBe(202);
    const token = await lastEmailToken(h.service, email, "reset_password");
    const newPassword = "a whole new passphrase";
    expect(
      (await h.call("POST", "/v1/password/reset", { body: { token, password: newPassword } })).status,
    ).toBe(204);
    expect(
      (await h.call("POST", "/v1/sessions/refresh", { body: { refresh_token: session.refresh_token } }))
        .status,
    ).toBe(401);
    expect((await signIn(email)).status).toBe(401);
    expect((await h.call("POST", "/v1/sessions", { body: { email, password: newPassword } })).status).toBe(
      201,
    );
    expect(await eventTypes(userId)).toEqual(
      expect.arrayContaining(["PasswordResetRequested", "PasswordChanged", "UserSignedOut"]),
    );
  });

  it("answers an unknown address exactly like a known one, and sends nothing", async () => {
    const email = newEmail();
    const res = await h.call("POST", "/v1/password/forgot", { body: { email } });
    expect(res.status).toBe(202);
    expect(await h.service.db.outboundEmail.count({ where: { recipient: email } })).toBe(0);
  });

  it("refuses an expired reset link and a weak new password, changing nothing", async () => {
    const { email } = await signUp();
    await h.call("POST", "/v1/password/forgot", { body: { email } });
    const token = await lastEmailToken(h.service, email, "reset_password");
    const weak = await h.call("POST", "/v1/password/reset", { body: { token, password: "short" } });
    expect([weak.status, weak.body.code]).toEqual([400, "password_weak"]);
    h.clock.advance(2 * 3600_000);
    try {
      const expired = await h.call("POST", "/v1/password/reset", {
        body: { token, password: "another fine passphrase" },
      });
      expect([expired.status, expired.body.code]).toEqual([400, "token_invalid"]);
    } finally {
      h.clock.advance(-2 * 3600_000);
    }
    expect((await signIn(email)).status).toBe(201);
  });
});

describe("the event log", () => {
  it("reaches identity.events through the relay, without secrets", async () => {
    const { userId } = await signUp();
    const published = await waitFor(
      () =>
        h.service.db
          .$queryRawUnsafe<{ n: bigint }[]>(
            "SELECT count(*) AS n FROM platform_events WHERE aggregate_id = $1 AND published_at IS NOT NULL",
            userId,
          )
          .then((rows) => (Number(rows[0]?.n) === 1 ? true : undefined)),
      { what: "the sign-up to be published" },
    );
    expect(published).toBe(true);
  });
});

describe("e-mailed links", () => {
  /** The newest link of a template to the address, opened on this test's server as a click would. */
  async function open(email: string, template: string) {
    const row = await h.service.db.outboundEmail.findFirstOrThrow({
      where: { recipient: email, template },
      orderBy: { createdAt: "desc" },
    });
    const link = new URL((row.variables as { link: string }).link);
    const response = await fetch(`${h.url}${link.pathname}${link.search}`);
    return {
      link,
      status: response.status,
      cache: response.headers.get("cache-control"),
      body: await response.json(),
    };
  }

  it("open a route that says how to complete them, spend nothing by opening, and stop once used", async () => {
    const { email } = await signUp();
    const verify = await open(email, "verify_email");
    const token = verify.link.searchParams.get("token");
    expect([verify.status, verify.cache, verify.body]).toEqual([
      200,
      "no-store",
      {
        purpose: "verify_email",
        complete: { method: "POST", url: "http://identity.test/v1/email/verify", body: { token } },
      },
    ]);
    expect((await open(email, "verify_email")).status).toBe(200);
    const { method, url, body } = verify.body.complete;
    expect((await h.call(method, new URL(url).pathname, { body })).status).toBe(204);
    expect((await open(email, "verify_email")).body.code).toBe("link_invalid");

    await h.call("POST", "/v1/password/forgot", { body: { email } });
    const reset = await open(email, "reset_password");
    expect(`${reset.link.origin}${reset.link.pathname}`).toBe("http://identity.test/v1/password/reset");
    expect(reset.body).toEqual({
      purpose: "reset_password",
      complete: {
        method: "POST",
        url: "http://identity.test/v1/password/reset",
        body: { token: reset.link.searchParams.get("token"), password: "<new password>" },
      },
    });
    const done = await h.call("POST", "/v1/password/reset", {
      body: { ...reset.body.complete.body, password: "a brand new passphrase" },
    });
    expect(done.status).toBe(204);
    const spent = await open(email, "reset_password");
    expect([spent.status, spent.body.code]).toEqual([404, "link_invalid"]);
    // Another purpose's token, a made-up one, or none: the same 404.
    for (const path of [
      `/v1/password/reset?token=${token}`,
      "/v1/email/verify?token=ot_nothing",
      "/v1/email/verify",
    ])
      expect((await h.call("GET", path)).body.code).toBe("link_invalid");
  });
});
