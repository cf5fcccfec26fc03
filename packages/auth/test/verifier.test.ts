import { createHmac, createPublicKey } from "node:crypto";
import { PlatformError } from "@platform/errors";
import { SignJWT } from "jose";
import {
  generateSigningKey,
  issuedAtMsOf,
  KeyRing,
  RevocationSet,
  RoleCatalog,
  signAccessToken,
  TOKEN_AUDIENCE,
  TOKEN_ISSUER,
  TokenVerifier,
} from "../src";
import { b64url, NOW, setup, unauthenticated } from "./fixtures";

const USER = { typ: "user", sub: "user-1", sid: "sess-1", acct: "acct-1", role: "member" } as const;

describe("TokenVerifier", () => {
  it("verifies a user token it signed and reads permissions from the role catalog", async () => {
    const { key, verifier } = await setup();
    const token = await signAccessToken(key.privateKey, key.kid, USER, { now: NOW });

    await expect(verifier.verify(token)).resolves.toEqual({
      kind: "user",
      subject: "user-1",
      sessionId: "sess-1",
      accountId: "acct-1",
      role: "member",
      permissions: ["organization.read", "groups.read", "projects.*", "members.read"],
    });
  });

  it("signs the documented claims", async () => {
    const { key } = await setup();
    const token = await signAccessToken(key.privateKey, key.kid, USER, { now: NOW, jti: "jti-1" });
    const [header, payload] = token
      .split(".")
      .slice(0, 2)
      .map((part) => JSON.parse(Buffer.from(part, "base64url").toString()));

    expect(header).toEqual({ alg: "EdDSA", typ: "at+jwt", kid: key.kid });
    const iat = NOW.getTime() / 1000;
    expect(payload).toEqual({
      iss: "platform-identity",
      aud: "platform",
      sub: "user-1",
      sid: "sess-1",
      acct: "acct-1",
      role: "member",
      typ: "user",
      jti: "jti-1",
      iat,
      iat_ms: NOW.getTime(),
      exp: iat + 900,
    });
  });

  it("gives a user without a current account no permissions", async () => {
    const { key, verifier } = await setup();
    const token = await signAccessToken(
      key.privateKey,
      key.kid,
      { typ: "user", sub: "u", sid: "s" },
      { now: NOW },
    );
    await expect(verifier.verify(token)).resolves.toMatchObject({
      accountId: null,
      role: null,
      permissions: [],
    });
  });

  it("uses the account's own role definition, read at verification time", async () => {
    const { key, verifier, catalog } = await setup();
    const token = await signAccessToken(key.privateKey, key.kid, USER, { now: NOW });
    catalog.define("acct-1", "member", ["projects.read"]);
    await expect(verifier.verify(token)).resolves.toMatchObject({ permissions: ["projects.read"] });
  });

  it("takes an API key's permissions from its scope", async () => {
    const { key, verifier } = await setup();
    const token = await signAccessToken(
      key.privateKey,
      key.kid,
      { typ: "api_key", sub: "key-1", acct: "acct-1", scope: ["projects.read", "billing.*"] },
      { now: NOW },
    );
    await expect(verifier.verify(token)).resolves.toEqual({
      kind: "api_key",
      subject: "key-1",
      sessionId: null,
      accountId: "acct-1",
      role: null,
      permissions: ["projects.read", "billing.*"],
    });
  });

  it("refuses to sign malformed claims", async () => {
    const { key } = await setup();
    await expect(
      signAccessToken(key.privateKey, key.kid, { typ: "api_key", sub: "k", acct: "a", scope: ["proj*"] }),
    ).rejects.toMatchObject({ code: "invalid_permission" });
    await expect(
      signAccessToken(key.privateKey, key.kid, { typ: "user", sub: "u", sid: "s", role: "admin" }),
    ).rejects.toMatchObject({ code: "invalid_token_claims" });
    await expect(
      signAccessToken(key.privateKey, key.kid, { typ: "user", sub: "u", sid: "" }),
    ).rejects.toMatchObject({ code: "invalid_token_claims" });
    await expect(signAccessToken(key.privateKey, key.kid, USER, { ttlSeconds: 0 })).rejects.toMatchObject({
      code: "invalid_token_claims",
    });
  });

  it("answers token_missing for no token", async () => {
    const { verifier } = await setup();
    await expect(verifier.verify("")).rejects.toEqual(unauthenticated("token_missing"));
    await expect(verifier.verify(undefined)).rejects.toEqual(unauthenticated("token_missing"));
  });

  it.each(["garbage", "a.b", "a.b.c", `${b64url("{not json")}.${b64url({})}.sig`])(
    "answers token_malformed for %j",
    async (token) => {
      const { verifier } = await setup();
      const rejection = verifier.verify(token);
      await expect(rejection).rejects.toEqual(unauthenticated("token_malformed"));
      await expect(rejection).rejects.toBeInstanceOf(PlatformError);
    },
  );

  it("answers token_expired after exp plus the clock tolerance, and not before", async () => {
    const { key, verifier } = await setup();
    const issued = new Date(NOW.getTime() - 900_000 - 29_000);
    const withinTolerance = await signAccessToken(key.privateKey, key.kid, USER, { now: issued });
    await expect(verifier.verify(withinTolerance)).resolves.toMatchObject({ subject: "user-1" });

    const expired = await signAccessToken(key.privateKey, key.kid, USER, {
      now: new Date(NOW.getTime() - 900_000 - 31_000),
    });
    await expect(verifier.verify(expired)).rejects.toEqual(unauthenticated("token_expired"));
  });

  it("answers token_claims_invalid for a token issued in the future", async () => {
    const { key, verifier } = await setup();
    const token = await signAccessToken(key.privateKey, key.kid, USER, {
      now: new Date(NOW.getTime() + 120_000),
    });
    await expect(verifier.verify(token)).rejects.toEqual(unauthenticated("token_claims_invalid"));
  });

  it.each([
    ["issuer", { iss: "someone-else" }],
    ["audience", { aud: "other-platform" }],
  ])("answers token_claims_invalid for the wrong %s", async (_what, override) => {
    const { key, verifier } = await setup();
    const token = await new SignJWT({
      typ: "user",
      sid: "s",
      jti: "j",
      iss: TOKEN_ISSUER,
      aud: TOKEN_AUDIENCE,
      ...override,
    })
      .setProtectedHeader({ alg: "EdDSA", typ: "at+jwt", kid: key.kid })
      .setSubject("user-1")
      .setIssuedAt(NOW)
      .setExpirationTime(new Date(NOW.getTime() + 60_000))
      .sign(key.privateKey);
    await expect(verifier.verify(token)).rejects.toEqual(unauthenticated("token_claims_invalid"));
  });

  it("answers token_claims_invalid when the verifier expects another issuer or audience", async () => {
    const { key, ring, catalog } = await setup();
    const token = await signAccessToken(key.privateKey, key.kid, USER, { now: NOW });
    const otherIssuer = new TokenVerifier(ring, catalog, {
      issuer: "x",
      audience: TOKEN_AUDIENCE,
      now: () => NOW,
    });
    const otherAudience = new TokenVerifier(ring, catalog, {
      issuer: TOKEN_ISSUER,
      audience: "x",
      now: () => NOW,
    });
    await expect(otherIssuer.verify(token)).rejects.toEqual(unauthenticated("token_claims_invalid"));
    await expect(otherAudience.verify(token)).rejects.toEqual(unauthenticated("token_claims_invalid"));
  });

  it.each<[string, Record<string, unknown>, Record<string, unknown>]>([
    ["an unknown typ", { typ: "service" }, {}],
    ["a user token without sid", { typ: "user" }, {}],
    ["an API key token without acct", { typ: "api_key", scope: "projects.read" }, {}],
    ["a role without an account", { typ: "user", sid: "s", role: "owner" }, {}],
    ["another JWT type in the header", { typ: "user", sid: "s" }, { typ: "JWT" }],
    ["no jti", { typ: "user", sid: "s", jti: undefined }, {}],
  ])("answers token_claims_invalid for %s", async (_what, claims, header) => {
    const { key, verifier } = await setup();
    const token = await new SignJWT({ jti: "j", ...claims })
      .setProtectedHeader({ alg: "EdDSA", typ: "at+jwt", kid: key.kid, ...header })
      .setIssuer(TOKEN_ISSUER)
      .setAudience(TOKEN_AUDIENCE)
      .setSubject("user-1")
      .setIssuedAt(NOW)
      .setExpirationTime(new Date(NOW.getTime() + 60_000))
      .sign(key.privateKey);
    await expect(verifier.verify(token)).rejects.toEqual(unauthenticated("token_claims_invalid"));
  });

  it("answers token_key_unknown for a kid not in the ring", async () => {
    const { verifier } = await setup();
    const stranger = await generateSigningKey();
    const token = await signAccessToken(stranger.privateKey, stranger.kid, USER, { now: NOW });
    await expect(verifier.verify(token)).rejects.toEqual(unauthenticated("token_key_unknown"));
  });

  it("answers token_key_unknown for a retired kid, even if it is published again", async () => {
    const { key, ring, verifier } = await setup();
    const token = await signAccessToken(key.privateKey, key.kid, USER, { now: NOW });
    ring.retire(key.kid);
    await expect(verifier.verify(token)).rejects.toEqual(unauthenticated("token_key_unknown"));

    expect(ring.addJwk(key.kid, JSON.stringify(key.publicJwk), 0)).toBe(false);
    await expect(verifier.verify(token)).rejects.toEqual(unauthenticated("token_key_unknown"));
  });

  it("answers token_key_unknown for a token issued before its key came into service", async () => {
    const { key, ring, verifier } = await setup();
    ring.addJwk(key.kid, key.publicJwk as Record<string, unknown>, NOW.getTime() + 60_000);
    const token = await signAccessToken(key.privateKey, key.kid, USER, { now: NOW });
    await expect(verifier.verify(token)).rejects.toEqual(unauthenticated("token_key_unknown"));
  });

  it("answers token_signature_invalid for a tampered payload", async () => {
    const { key, verifier } = await setup();
    const token = await signAccessToken(key.privateKey, key.kid, USER, { now: NOW });
    const [header, payload, signature] = token.split(".") as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString());
    const tampered = `${header}.${b64url({ ...claims, role: "owner" })}.${signature}`;
    await expect(verifier.verify(tampered)).rejects.toEqual(unauthenticated("token_signature_invalid"));
  });

  it("answers token_signature_invalid for a token signed by another key under a known kid", async () => {
    const { key, verifier } = await setup();
    const impostor = await generateSigningKey();
    const token = await signAccessToken(impostor.privateKey, key.kid, USER, { now: NOW });
    await expect(verifier.verify(token)).rejects.toEqual(unauthenticated("token_signature_invalid"));
  });

  function forgedPayload(): Record<string, unknown> {
    const iat = Math.floor(NOW.getTime() / 1000);
    return { ...USER, role: "owner", iss: TOKEN_ISSUER, aud: TOKEN_AUDIENCE, jti: "j", iat, exp: iat + 900 };
  }

  it("rejects an unsecured (alg none) token", async () => {
    const { key, verifier } = await setup();
    for (const alg of ["none", "None", "NONE"]) {
      const token = `${b64url({ alg, typ: "at+jwt", kid: key.kid })}.${b64url(forgedPayload())}.`;
      await expect(verifier.verify(token)).rejects.toEqual(unauthenticated("token_signature_invalid"));
    }
  });

  it("rejects HS256 tokens keyed with the public key (algorithm confusion)", async () => {
    const { key, verifier } = await setup();
    const x = Buffer.from(key.publicJwk.x as string, "base64url");
    const spkiPem = createPublicKey({ key: key.publicJwk as never, format: "jwk" }).export({
      type: "spki",
      format: "pem",
    });
    for (const secret of [x, Buffer.from(spkiPem), Buffer.from(JSON.stringify(key.publicJwk))]) {
      const signingInput = `${b64url({ alg: "HS256", typ: "at+jwt", kid: key.kid })}.${b64url(forgedPayload())}`;
      const signature = createHmac("sha256", secret).update(signingInput).digest("base64url");
      await expect(verifier.verify(`${signingInput}.${signature}`)).rejects.toEqual(
        unauthenticated("token_signature_invalid"),
      );
    }
  });

  it("rejects a token with no kid", async () => {
    const { key, verifier } = await setup();
    const token = await new SignJWT(forgedPayload())
      .setProtectedHeader({ alg: "EdDSA", typ: "at+jwt" })
      .sign(key.privateKey);
    await expect(verifier.verify(token)).rejects.toEqual(unauthenticated("token_malformed"));
  });

  it("accepts tokens from both keys during a rotation, and only the new one after retirement", async () => {
    const { key: oldKey, ring, verifier } = await setup();
    const newKey = await generateSigningKey();
    ring.applySigningKeyEvent("SigningKeyPublished", {
      key_id: newKey.kid,
      algorithm: "EdDSA",
      public_key_jwk: JSON.stringify(newKey.publicJwk),
      not_before: NOW.getTime() - 1000,
    });

    const oldToken = await signAccessToken(oldKey.privateKey, oldKey.kid, USER, { now: NOW });
    const newToken = await signAccessToken(newKey.privateKey, newKey.kid, USER, { now: NOW });
    await expect(verifier.verify(oldToken)).resolves.toMatchObject({ subject: "user-1" });
    await expect(verifier.verify(newToken)).resolves.toMatchObject({ subject: "user-1" });

    ring.applySigningKeyEvent("SigningKeyRetired", { key_id: oldKey.kid });
    await expect(verifier.verify(oldToken)).rejects.toEqual(unauthenticated("token_key_unknown"));
    await expect(verifier.verify(newToken)).resolves.toMatchObject({ subject: "user-1" });
  });

  it("verifies with keys from AUTH_PUBLIC_KEYS configuration", async () => {
    const key = await generateSigningKey();
    const ring = KeyRing.fromConfig(JSON.stringify([key.publicJwk]));
    const verifier = new TokenVerifier(ring, new RoleCatalog(), {
      issuer: TOKEN_ISSUER,
      audience: TOKEN_AUDIENCE,
      now: () => NOW,
    });
    const token = await signAccessToken(key.privateKey, key.kid, USER, { now: NOW });
    await expect(verifier.verify(token)).resolves.toMatchObject({ subject: "user-1" });
  });

  it("signs with a node KeyObject as well as a CryptoKey", async () => {
    const { key, verifier } = await setup();
    const { KeyObject } = await import("node:crypto");
    const token = await signAccessToken(KeyObject.from(key.privateKey), key.kid, USER, { now: NOW });
    await expect(verifier.verify(token)).resolves.toMatchObject({ subject: "user-1" });
  });

  describe("with a revocation set", () => {
    const at = (seconds: number) => NOW.getTime() + seconds * 1000;
    const apiKey = { typ: "api_key", sub: "key-1", acct: "acct-1", scope: ["members.read"] } as const;
    const sign = async (key: Awaited<ReturnType<typeof setup>>["key"], claims: object, ttlSeconds = 900) =>
      signAccessToken(key.privateKey, key.kid, claims as typeof USER, { now: NOW, ttlSeconds });

    it.each([
      ["session", { scope: "session", subjectId: "sess-1", accountId: null }],
      ["person everywhere", { scope: "user", subjectId: "user-1", accountId: null }],
      ["person in the organization", { scope: "membership", subjectId: "user-1", accountId: "acct-1" }],
    ] as const)("refuses a user token whose %s was revoked after it was issued", async (_, match) => {
      const revocations = new RevocationSet(3600);
      const { key, verifier } = await setup({ revocations });
      const token = await sign(key, USER);
      await expect(verifier.verify(token)).resolves.toMatchObject({ subject: "user-1" });
      revocations.add({ ...match, tokensIssuedBefore: at(1) });
      await expect(verifier.verify(token)).rejects.toEqual(unauthenticated("session_revoked"));
    });

    it("keeps other sessions, people and organizations working", async () => {
      const revocations = new RevocationSet(3600);
      revocations.add({ scope: "session", subjectId: "sess-2", accountId: null, tokensIssuedBefore: at(1) });
      revocations.add({ scope: "user", subjectId: "user-2", accountId: null, tokensIssuedBefore: at(1) });
      revocations.add({
        scope: "membership",
        subjectId: "user-1",
        accountId: "acct-2",
        tokensIssuedBefore: at(1),
      });
      revocations.add({ scope: "api_key", subjectId: "user-1", accountId: null, tokensIssuedBefore: at(1) });
      const { key, verifier } = await setup({ revocations });
      await expect(verifier.verify(await sign(key, USER))).resolves.toMatchObject({ subject: "user-1" });
    });

    it("refuses an API key's token issued before its revocation, not one issued after", async () => {
      const revocations = new RevocationSet(3600);
      const { key, verifier } = await setup({ revocations });
      revocations.add({ scope: "api_key", subjectId: "key-1", accountId: null, tokensIssuedBefore: at(0) });
      await expect(verifier.verify(await sign(key, apiKey))).rejects.toEqual(
        unauthenticated("token_revoked"),
      );
      // A re-exchange a second later (the key was narrowed, not revoked) is a new token.
      const later = await signAccessToken(key.privateKey, key.kid, apiKey, { now: new Date(at(1)) });
      await expect(verifier.verify(later)).resolves.toMatchObject({ kind: "api_key" });
    });

    it("tells apart, within one second, a token issued before a revocation from one issued after", async () => {
      const revocations = new RevocationSet(3600);
      const { key, verifier } = await setup({ revocations });
      const before = await sign(key, USER); // issued at NOW
      const after = await signAccessToken(key.privateKey, key.kid, USER, { now: new Date(at(0) + 1) });
      revocations.add({ scope: "session", subjectId: "sess-1", accountId: null, tokensIssuedBefore: at(0) });
      await expect(verifier.verify(before)).rejects.toEqual(unauthenticated("session_revoked"));
      await expect(verifier.verify(after)).resolves.toMatchObject({ subject: "user-1" });
    });

    it("takes a token without a millisecond issue time as issued at the end of its second", () => {
      expect(issuedAtMsOf({ iat: 1_000 })).toBe(1_000_999);
      expect(issuedAtMsOf({ iat: 1_000, iat_ms: 1_000_250 })).toBe(1_000_250);
      // A forged or inconsistent iat_ms (another second) is not believed.
      expect(issuedAtMsOf({ iat: 1_000, iat_ms: 999_000 })).toBe(1_000_999);
      expect(issuedAtMsOf({ iat: 1_000, iat_ms: "1000250" })).toBe(1_000_999);
    });

    it("refuses a token that would outlive the window revocations are kept for", async () => {
      const { key, verifier } = await setup({ revocations: new RevocationSet(600) });
      await expect(verifier.verify(await sign(key, USER, 601))).rejects.toEqual(
        unauthenticated("token_claims_invalid"),
      );
      await expect(verifier.verify(await sign(key, USER, 600))).resolves.toMatchObject({ subject: "user-1" });
    });

    it("forgets a revocation once every token it could refuse has expired", () => {
      const revocations = new RevocationSet(900);
      revocations.add({ scope: "session", subjectId: "sess-1", accountId: null, tokensIssuedBefore: at(0) });
      revocations.prune(at(899));
      expect(revocations.size).toBe(1);
      revocations.prune(at(901));
      expect(revocations.size).toBe(0);
    });
  });

  describe("remembering verified tokens", () => {
    it("refuses a remembered token once its key is retired", async () => {
      const { key, ring, verifier } = await setup();
      const token = await signAccessToken(key.privateKey, key.kid, USER, { now: NOW });
      await expect(verifier.verify(token)).resolves.toMatchObject({ subject: "user-1" });
      ring.retire(key.kid);
      await expect(verifier.verify(token)).rejects.toEqual(unauthenticated("token_key_unknown"));
      expect(verifier.known(token)).toBeUndefined();
    });

    it("refuses a remembered token once it has expired", async () => {
      let now = NOW;
      const { key, verifier } = await setup({ now: () => now, clockToleranceSec: 0 });
      const token = await signAccessToken(key.privateKey, key.kid, USER, { now: NOW, ttlSeconds: 60 });
      await expect(verifier.verify(token)).resolves.toMatchObject({ subject: "user-1" });
      now = new Date(NOW.getTime() + 61_000);
      expect(verifier.known(token)).toBeUndefined();
      await expect(verifier.verify(token)).rejects.toEqual(unauthenticated("token_expired"));
    });

    it("reads a remembered token's role permissions anew", async () => {
      const { key, catalog, verifier } = await setup();
      const token = await signAccessToken(key.privateKey, key.kid, USER, { now: NOW });
      await verifier.verify(token);
      catalog.define("acct-1", "member", ["members.read"]);
      await expect(verifier.verify(token)).resolves.toMatchObject({ permissions: ["members.read"] });
    });

    it("knows a token only after verifying it, and not once it is revoked", async () => {
      const revocations = new RevocationSet(3600);
      const { key, verifier } = await setup({ revocations });
      const token = await signAccessToken(key.privateKey, key.kid, USER, { now: NOW });
      expect(verifier.known(token)).toBeUndefined();
      await verifier.verify(token);
      expect(verifier.known(token)).toMatchObject({ subject: "user-1", accountId: "acct-1" });
      revocations.add({
        scope: "session",
        subjectId: "sess-1",
        accountId: null,
        tokensIssuedBefore: NOW.getTime() + 1000,
      });
      expect(verifier.known(token)).toBeUndefined();
      await expect(verifier.verify(token)).rejects.toEqual(unauthenticated("session_revoked"));
    });

    it("does not take a token with another signature for a remembered one", async () => {
      const { key, verifier } = await setup();
      const token = await signAccessToken(key.privateKey, key.kid, USER, { now: NOW });
      await verifier.verify(token);
      const [header, payload] = token.split(".");
      const forged = `${header}.${payload}.${b64url("x".repeat(64))}`;
      await expect(verifier.verify(forged)).rejects.toEqual(unauthenticated("token_signature_invalid"));
    });

    it("remembers nothing with cacheSize 0", async () => {
      const { key, verifier } = await setup({ cacheSize: 0 });
      const token = await signAccessToken(key.privateKey, key.kid, USER, { now: NOW });
      await verifier.verify(token);
      expect(verifier.known(token)).toBeUndefined();
    });
  });
});
