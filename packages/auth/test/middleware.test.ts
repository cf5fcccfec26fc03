import {
  type AuthMiddleware,
  type AuthRequest,
  type AuthResponse,
  authenticate,
  knownPrincipal,
  type Principal,
  principalOf,
  requireAccount,
  requirePermission,
  signAccessToken,
} from "../src";
import { NOW, setup, unauthenticated } from "./fixtures";

/** Runs a middleware with fakes and resolves with what it passed to next(). */
function run(
  middleware: AuthMiddleware,
  req: Partial<AuthRequest> = {},
  res: AuthResponse = { locals: {} },
): Promise<{ error: unknown; res: AuthResponse }> {
  return new Promise((resolve) => {
    middleware({ headers: {}, ...req }, res, (error?: unknown) => resolve({ error, res }));
  });
}

function withPrincipal(principal: Partial<Principal>): AuthResponse {
  const full: Principal = {
    kind: "user",
    subject: "user-1",
    sessionId: "sess-1",
    accountId: "acct-1",
    role: "member",
    permissions: [],
    ...principal,
  };
  return { locals: { principal: full } };
}

describe("authenticate", () => {
  it("puts the verified principal on res.locals", async () => {
    const { key, verifier } = await setup();
    const token = await signAccessToken(
      key.privateKey,
      key.kid,
      { typ: "user", sub: "user-1", sid: "sess-1", acct: "acct-1", role: "viewer" },
      { now: NOW },
    );
    const { error, res } = await run(authenticate(verifier), {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(error).toBeUndefined();
    expect(principalOf(res)).toMatchObject({ subject: "user-1", accountId: "acct-1", role: "viewer" });
  });

  it("accepts the scheme in any case", async () => {
    const { key, verifier } = await setup();
    const token = await signAccessToken(
      key.privateKey,
      key.kid,
      { typ: "user", sub: "u", sid: "s" },
      { now: NOW },
    );
    const { error } = await run(authenticate(verifier), { headers: { authorization: `bearer ${token}` } });
    expect(error).toBeUndefined();
  });

  it("passes token_missing to next without an Authorization header", async () => {
    const { verifier } = await setup();
    const { error, res } = await run(authenticate(verifier));
    expect(error).toEqual(unauthenticated("token_missing"));
    expect(res.locals.principal).toBeUndefined();
  });

  it.each(["Basic dXNlcjpwYXNz", "Bearer", "Bearer a b", "Token abc"])(
    "passes token_malformed to next for %j",
    async (authorization) => {
      const { verifier } = await setup();
      const { error } = await run(authenticate(verifier), { headers: { authorization } });
      expect(error).toEqual(unauthenticated("token_malformed"));
    },
  );

  it("passes the verifier's rejection to next", async () => {
    const { verifier } = await setup();
    const { error } = await run(authenticate(verifier), { headers: { authorization: "Bearer a.b.c" } });
    expect(error).toEqual(unauthenticated("token_malformed"));
  });
});

describe("requirePermission", () => {
  it("lets a principal with the permission through", async () => {
    const { error } = await run(
      requirePermission("projects.create"),
      {},
      withPrincipal({ permissions: ["projects.*"] }),
    );
    expect(error).toBeUndefined();
  });

  it("answers 403 permission_denied naming the permission", async () => {
    const { error } = await run(
      requirePermission("billing.update"),
      {},
      withPrincipal({ permissions: ["billing.read"] }),
    );
    expect(error).toMatchObject({
      kind: "forbidden",
      code: "permission_denied",
      details: { required: "billing.update" },
    });
  });

  it("refuses a malformed permission when the route is declared", () => {
    expect(() => requirePermission("projects.*")).toThrow(
      expect.objectContaining({ code: "invalid_permission" }),
    );
  });

  it("reports a missing authenticate() as a wiring bug", async () => {
    const { error } = await run(requirePermission("projects.read"));
    expect(error).toMatchObject({ kind: "internal", code: "principal_missing" });
  });
});

describe("requireAccount", () => {
  it("lets a principal act on its current account", async () => {
    const { error } = await run(
      requireAccount("accountId"),
      { params: { accountId: "acct-1" } },
      withPrincipal({}),
    );
    expect(error).toBeUndefined();
  });

  it("answers 403 account_mismatch for another account, whatever the permissions", async () => {
    const { error } = await run(
      requireAccount(),
      { params: { accountId: "acct-2" } },
      withPrincipal({ role: "owner", permissions: ["*"] }),
    );
    expect(error).toMatchObject({
      kind: "forbidden",
      code: "account_mismatch",
      details: { accountId: "acct-2" },
    });
  });

  it("answers account_mismatch for a principal without a current account", async () => {
    const { error } = await run(
      requireAccount("org"),
      { params: { org: "acct-1" } },
      withPrincipal({ accountId: null, role: null }),
    );
    expect(error).toMatchObject({ code: "account_mismatch" });
  });

  it("reports a route without the parameter as a wiring bug", async () => {
    const { error } = await run(requireAccount("accountId"), { params: {} }, withPrincipal({}));
    expect(error).toMatchObject({ kind: "internal", code: "route_param_missing" });
  });
});

describe("requireAccount with closedAccounts", () => {
  const closedAccounts = { isClosed: async (accountId: string) => accountId === "acct-1" };
  const owner = () => withPrincipal({ role: "owner", permissions: ["*"] });

  it.each(["POST", "PUT", "PATCH", "DELETE", "post"])(
    "answers %s into a closed account with 409 organization_closed",
    async (method) => {
      const { error } = await run(
        requireAccount("accountId", { closedAccounts }),
        { method, params: { accountId: "acct-1" } },
        owner(),
      );
      expect(error).toMatchObject({ kind: "conflict", code: "organization_closed" });
    },
  );

  it.each(["GET", "HEAD", "OPTIONS"])("lets %s read a closed account", async (method) => {
    const { error } = await run(
      requireAccount("accountId", { closedAccounts }),
      { method, params: { accountId: "acct-1" } },
      owner(),
    );
    expect(error).toBeUndefined();
  });

  it("lets writes into an open account through", async () => {
    const { error } = await run(
      requireAccount("accountId", { closedAccounts }),
      { method: "POST", params: { accountId: "acct-2" } },
      withPrincipal({ accountId: "acct-2" }),
    );
    expect(error).toBeUndefined();
  });

  it("tells another account's principal account_mismatch, not that the account is closed", async () => {
    const { error } = await run(
      requireAccount("accountId", { closedAccounts }),
      { method: "DELETE", params: { accountId: "acct-1" } },
      withPrincipal({ accountId: "acct-2", permissions: ["*"] }),
    );
    expect(error).toMatchObject({ code: "account_mismatch" });
  });

  it("passes a failing lookup on as the error, never as a pass", async () => {
    const broken = { isClosed: async () => Promise.reject(new Error("database down")) };
    const { error } = await run(
      requireAccount("accountId", { closedAccounts: broken }),
      { method: "POST", params: { accountId: "acct-1" } },
      owner(),
    );
    expect(error).toMatchObject({ message: "database down" });
  });
});

describe("knownPrincipal", () => {
  it("names a token's principal only once the verifier has verified it, and never throws", async () => {
    const { key, verifier } = await setup();
    const token = await signAccessToken(
      key.privateKey,
      key.kid,
      { typ: "api_key", sub: "key-1", acct: "acct-1", scope: ["usage.write"] },
      { now: NOW },
    );
    const req = { headers: { authorization: `Bearer ${token}` } };
    expect(knownPrincipal(verifier, req)).toBeUndefined();
    await run(authenticate(verifier), req);
    expect(knownPrincipal(verifier, req)).toMatchObject({ kind: "api_key", accountId: "acct-1" });
    expect(knownPrincipal(verifier, { headers: {} })).toBeUndefined();
    expect(knownPrincipal(verifier, { headers: { authorization: "Basic abc" } })).toBeUndefined();
  });
});
