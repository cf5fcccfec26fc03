import { type KeyObject, randomUUID } from "node:crypto";
import { InvalidInputError } from "@platform/errors";
import { type CryptoKey, calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK, SignJWT } from "jose";
import { AuthErrorCodes } from "./codes";
import { assertValidGrants } from "./permissions";

/**
 * The access-token format: the one definition identity signs with and every service verifies against.
 * Changing a claim here is a contract change for every service (STYLE.md §7).
 */
export const TOKEN_ISSUER = "platform-identity";
export const TOKEN_AUDIENCE = "platform";
export const TOKEN_ALGORITHM = "EdDSA";
/**
 * RFC 9068's header type for access tokens: should identity ever sign another kind of JWT with the same
 * key (an ID token, an invitation link), that JWT cannot pass as an access token.
 */
export const TOKEN_HEADER_TYPE = "at+jwt";
export const DEFAULT_TOKEN_TTL_SECONDS = 900;

export type TokenType = "user" | "api_key";

export interface UserTokenClaims {
  typ: "user";
  /** The user id. */
  sub: string;
  /** The session id: what sign-out revokes. */
  sid: string;
  /** The account (organization) the user currently acts in; absent before one is chosen. */
  acct?: string | null;
  /** The user's role in `acct`; only with `acct`. */
  role?: string | null;
}

export interface ApiKeyTokenClaims {
  typ: "api_key";
  /** The API key id. */
  sub: string;
  /** The account the key belongs to: an API key always acts in exactly one. */
  acct: string;
  /** The key's permissions; carried in the token as the space-separated `scope` claim. */
  scope: readonly string[];
}

export type AccessTokenClaims = UserTokenClaims | ApiKeyTokenClaims;

/** The payload of an access token, as signed. */
export interface AccessTokenPayload {
  iss: typeof TOKEN_ISSUER;
  aud: typeof TOKEN_AUDIENCE;
  sub: string;
  typ: TokenType;
  jti: string;
  iat: number;
  /** The issue time in milliseconds (iat has whole seconds): what revocations are compared with. */
  iat_ms: number;
  exp: number;
  sid?: string;
  acct?: string;
  role?: string;
  scope?: string;
}

export interface SignAccessTokenOptions {
  ttlSeconds?: number;
  /** Issue time; injectable so tests (and replays) do not depend on the wall clock. */
  now?: Date;
  /** Token id; a random UUID unless given. */
  jti?: string;
}

export async function signAccessToken(
  privateKey: CryptoKey | KeyObject,
  kid: string,
  claims: AccessTokenClaims,
  options: SignAccessTokenOptions = {},
): Promise<string> {
  const ttlSeconds = options.ttlSeconds ?? DEFAULT_TOKEN_TTL_SECONDS;
  if (!Number.isInteger(ttlSeconds) || ttlSeconds <= 0) {
    throw invalidClaims(`ttlSeconds must be a positive integer, got ${ttlSeconds}`);
  }
  if (!nonEmpty(kid)) throw invalidClaims("kid must be a non-empty string");
  const issuedAtMs = (options.now ?? new Date()).getTime();
  const iat = Math.floor(issuedAtMs / 1000);
  const payload = {
    ...payloadClaims(claims),
    jti: options.jti ?? randomUUID(),
    iat_ms: issuedAtMs,
  };
  return new SignJWT(payload)
    .setProtectedHeader({ alg: TOKEN_ALGORITHM, typ: TOKEN_HEADER_TYPE, kid })
    .setIssuer(TOKEN_ISSUER)
    .setAudience(TOKEN_AUDIENCE)
    .setSubject(claims.sub)
    .setIssuedAt(iat)
    .setExpirationTime(iat + ttlSeconds)
    .sign(privateKey);
}

function payloadClaims(claims: AccessTokenClaims): Record<string, string> {
  if (!nonEmpty(claims.sub)) throw invalidClaims("sub must be a non-empty string");
  if (claims.typ === "user") {
    if (!nonEmpty(claims.sid)) throw invalidClaims("a user token needs its session id (sid)");
    const acct = claims.acct ?? undefined;
    const role = claims.role ?? undefined;
    if (acct !== undefined && !nonEmpty(acct)) throw invalidClaims("acct must be a non-empty string");
    if (role !== undefined && (acct === undefined || !nonEmpty(role))) {
      throw invalidClaims("role needs an account (acct) and must be a non-empty string");
    }
    return {
      typ: "user",
      sid: claims.sid,
      ...(acct === undefined ? {} : { acct }),
      ...(role === undefined ? {} : { role }),
    };
  }
  if (claims.typ === "api_key") {
    if (!nonEmpty(claims.acct)) throw invalidClaims("an API key token needs its account (acct)");
    assertValidGrants(claims.scope);
    return { typ: "api_key", acct: claims.acct, scope: [...new Set(claims.scope)].join(" ") };
  }
  throw invalidClaims(`unknown token type ${String((claims as { typ?: unknown }).typ)}`);
}

export interface SigningKey {
  /** The key's RFC 7638 thumbprint: derived from the key, so it cannot collide with another key's kid. */
  kid: string;
  /**
   * Extractable, because identity must persist it (encrypted) to keep signing across restarts; it never
   * leaves identity.
   */
  privateKey: CryptoKey;
  /** What SigningKeyPublished carries (as JSON text) and AUTH_PUBLIC_KEYS lists. */
  publicJwk: JWK;
}

export async function generateSigningKey(): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(TOKEN_ALGORITHM, { extractable: true });
  const exported = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(exported);
  return { kid, privateKey, publicJwk: { ...exported, kid, alg: TOKEN_ALGORITHM, use: "sig" } };
}

function nonEmpty(value: unknown): value is string {
  return typeof value === "string" && value !== "";
}

function invalidClaims(message: string): InvalidInputError {
  return new InvalidInputError(AuthErrorCodes.invalidTokenClaims, message);
}
