import { PlatformError } from "@platform/errors";
import { decodeProtectedHeader, errors, type JWTPayload, jwtVerify } from "jose";
import { AuthErrorCodes } from "./codes";
import type { KeyRing } from "./keys";
import type { Principal } from "./principal";
import { issuedAtMsOf, type RevocationCheck } from "./revocations";
import type { RoleCatalog } from "./roles";
import { TOKEN_ALGORITHM, TOKEN_HEADER_TYPE } from "./tokens";

export interface TokenVerifierOptions {
  /** Normally TOKEN_ISSUER; an option so a test or a second identity deployment can differ. */
  issuer: string;
  /** Normally TOKEN_AUDIENCE. */
  audience: string;
  /** Allowed clock skew between identity and this service for exp, iat and nbf. */
  clockToleranceSec?: number;
  /**
   * Revoked sessions, API keys and memberships (identity's AccessRevoked events, kept by a
   * RevocationFeed, or identity's own table). Without it a revoked credential keeps working until its
   * token's exp.
   */
  revocations?: RevocationCheck;
  /** The current time; injectable for tests. */
  now?: () => Date;
  /**
   * How many verified tokens to remember (default 10,000; 0 turns it off). A token seen again skips the
   * signature check and the static claim checks, which cost most of a verification (an EdDSA
   * verify); its expiry, its key still being in the ring, its revocation and its role's permissions
   * are checked again on every request, so a revocation or a key retirement applies at once.
   */
  cacheSize?: number;
}

/** What a verification established once for a token: its claims, under this key object of the ring. */
interface Verified {
  payload: JWTPayload;
  kid: string;
  key: unknown;
}

const ACCEPTED_ALGORITHMS = [TOKEN_ALGORITHM];

/** Verifies identity's access tokens locally: signature by a key in the ring, then claims, then revocation. */
export class TokenVerifier {
  private readonly clockToleranceSec: number;
  private readonly now: () => Date;
  private readonly cacheSize: number;
  /** Verified tokens by their exact text, oldest first (a Map keeps insertion order). */
  private readonly verified = new Map<string, Verified>();

  constructor(
    private readonly keyRing: KeyRing,
    private readonly roleCatalog: RoleCatalog,
    private readonly options: TokenVerifierOptions,
  ) {
    this.clockToleranceSec = options.clockToleranceSec ?? 30;
    this.now = options.now ?? (() => new Date());
    this.cacheSize = options.cacheSize ?? 10_000;
  }

  async verify(token: string | null | undefined): Promise<Principal> {
    if (token === null || token === undefined || token === "") {
      throw unauthenticated(AuthErrorCodes.tokenMissing, "no access token");
    }
    const known = this.remembered(token);
    if (known) return this.admit(known);
    const { alg, kid } = headerOf(token);
    // jose would refuse these too (its `algorithms` option); checking first gives alg-confusion and
    // unsecured tokens a clear answer and never lets them near key selection.
    if (alg !== TOKEN_ALGORITHM) {
      throw unauthenticated(
        AuthErrorCodes.tokenSignatureInvalid,
        `algorithm ${String(alg)} is not accepted`,
        {
          alg: String(alg),
        },
      );
    }
    if (typeof kid !== "string" || kid === "") {
      throw unauthenticated(AuthErrorCodes.tokenMalformed, "the token header has no kid");
    }
    const key = this.keyRing.get(kid);
    if (!key) {
      const why = this.keyRing.isRetired(kid) ? "has been retired" : "is not known";
      throw unauthenticated(AuthErrorCodes.tokenKeyUnknown, `signing key ${kid} ${why}`, { kid });
    }

    const now = this.now();
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, key.key, {
        algorithms: ACCEPTED_ALGORITHMS,
        issuer: this.options.issuer,
        audience: this.options.audience,
        typ: TOKEN_HEADER_TYPE,
        clockTolerance: this.clockToleranceSec,
        currentDate: now,
        requiredClaims: ["exp", "iat", "sub", "jti"],
      }));
    } catch (error) {
      throw fromJoseError(error);
    }

    const iat = payload.iat as number;
    // jose does not bound iat; a token "issued" in the future would outlive its ttl.
    if (iat * 1000 > now.getTime() + this.clockToleranceSec * 1000) {
      throw invalidClaims("the access token was issued in the future");
    }
    if (key.notBefore && iat * 1000 < key.notBefore.getTime() - this.clockToleranceSec * 1000) {
      throw unauthenticated(
        AuthErrorCodes.tokenKeyUnknown,
        `signing key ${kid} was not in service when the token was issued`,
        { kid },
      );
    }

    const maxLifetime = this.options.revocations?.maxTokenLifetimeSec;
    if (maxLifetime !== undefined && (payload.exp as number) - iat > maxLifetime) {
      throw invalidClaims(
        `the access token lives longer than the ${maxLifetime} s this service tracks revocations for`,
      );
    }
    const verified: Verified = { payload, kid, key: key.key };
    // Remembered before the revocation check: a revoked token is refused by that check on every hit too.
    this.remember(token, verified);
    return this.admit(verified);
  }

  /**
   * The principal of a token this verifier has already verified and that still passes every check
   * that can change (expiry, key, revocation), without verifying anything: undefined otherwise. For a
   * cheap decision before the real one (a flood refused before its body is read); `verify` still runs.
   */
  known(token: string): Principal | undefined {
    const verified = this.remembered(token);
    if (!verified) return undefined;
    const principal = this.principalFrom(verified.payload);
    const revocations = this.options.revocations;
    if (!revocations) return principal;
    const { iat, iat_ms } = verified.payload;
    const revoked = revocations.isRevoked({
      ...principal,
      issuedAtMs: issuedAtMsOf({ iat: iat as number, iat_ms }),
    });
    // An asynchronous store (identity's table) cannot answer cheaply: not known, then.
    return revoked === false ? principal : undefined;
  }

  private remembered(token: string): Verified | undefined {
    const verified = this.verified.get(token);
    if (!verified) return undefined;
    const expired = (verified.payload.exp as number) + this.clockToleranceSec <= this.now().getTime() / 1000;
    // The ring's current key object: a retired (or replaced) key takes its tokens' entries with it.
    if (expired || this.keyRing.get(verified.kid)?.key !== verified.key) {
      this.verified.delete(token);
      return undefined;
    }
    return verified;
  }

  private remember(token: string, verified: Verified): void {
    if (this.cacheSize <= 0) return;
    if (this.verified.size >= this.cacheSize) {
      const oldest = this.verified.keys().next().value;
      if (oldest !== undefined) this.verified.delete(oldest);
    }
    this.verified.set(token, verified);
  }

  /** What is checked on every request, verified or remembered: the role's permissions now, revocation. */
  private async admit({ payload }: Verified): Promise<Principal> {
    const principal = this.principalFrom(payload);
    const revocations = this.options.revocations;
    if (revocations) {
      if (
        await revocations.isRevoked({
          ...principal,
          issuedAtMs: issuedAtMsOf({ iat: payload.iat as number, iat_ms: payload.iat_ms }),
        })
      ) {
        throw principal.kind === "api_key"
          ? unauthenticated(
              AuthErrorCodes.tokenRevoked,
              "the token has been revoked; exchange the API key again",
            )
          : unauthenticated(
              AuthErrorCodes.sessionRevoked,
              "the session or its access has been revoked; refresh or sign in again",
            );
      }
    }
    return principal;
  }

  private principalFrom(payload: JWTPayload): Principal {
    const subject = payload.sub as string;
    const accountId = optionalString(payload, "acct");
    if (payload.typ === "user") {
      const sessionId = optionalString(payload, "sid");
      if (sessionId === null) throw invalidClaims("a user token needs a session id (sid)");
      const role = optionalString(payload, "role");
      if (role !== null && accountId === null) throw invalidClaims("a role needs an account (acct)");
      // Role definitions are read now, not at issue time: a changed role applies at once, while a
      // changed role assignment waits for the next token.
      const permissions =
        accountId !== null && role !== null ? [...this.roleCatalog.permissionsOf(accountId, role)] : [];
      return { kind: "user", subject, sessionId, accountId, role, permissions };
    }
    if (payload.typ === "api_key") {
      if (accountId === null) throw invalidClaims("an API key token needs an account (acct)");
      // An API key may legitimately hold no permissions yet, so an empty scope is valid here.
      const scope = payload.scope ?? "";
      if (typeof scope !== "string") throw invalidClaims("claim scope must be a string");
      const permissions = scope.split(" ").filter((permission) => permission !== "");
      return { kind: "api_key", subject, sessionId: null, accountId, role: null, permissions };
    }
    throw invalidClaims(`unknown token type ${String(payload.typ)}`);
  }
}

function headerOf(token: string): { alg: unknown; kid: unknown } {
  if (token.split(".").length !== 3) {
    throw unauthenticated(AuthErrorCodes.tokenMalformed, "the access token is not a compact JWS");
  }
  try {
    const header = decodeProtectedHeader(token);
    return { alg: header.alg, kid: header.kid };
  } catch (error) {
    throw unauthenticated(AuthErrorCodes.tokenMalformed, "the access token header cannot be read", {}, error);
  }
}

function optionalString(payload: JWTPayload, claim: string): string | null {
  const value = payload[claim];
  if (value === undefined) return null;
  if (typeof value !== "string" || value === "")
    throw invalidClaims(`claim ${claim} must be a non-empty string`);
  return value;
}

function fromJoseError(error: unknown): unknown {
  if (error instanceof errors.JWTExpired) {
    return unauthenticated(AuthErrorCodes.tokenExpired, "the access token has expired", {}, error);
  }
  if (error instanceof errors.JWTClaimValidationFailed) {
    return unauthenticated(
      AuthErrorCodes.tokenClaimsInvalid,
      `the access token's ${error.claim} is not acceptable`,
      { claim: error.claim },
      error,
    );
  }
  if (error instanceof errors.JWSSignatureVerificationFailed || error instanceof errors.JOSEAlgNotAllowed) {
    return unauthenticated(
      AuthErrorCodes.tokenSignatureInvalid,
      "the access token signature is invalid",
      {},
      error,
    );
  }
  if (error instanceof errors.JOSEError) {
    return unauthenticated(AuthErrorCodes.tokenMalformed, "the access token cannot be read", {}, error);
  }
  // Not about the token (a crypto backend failure, a bug): let it surface as a 500.
  return error;
}

function invalidClaims(message: string): PlatformError {
  return unauthenticated(AuthErrorCodes.tokenClaimsInvalid, message);
}

function unauthenticated(
  code: string,
  message: string,
  details: Record<string, unknown> = {},
  cause?: unknown,
): PlatformError {
  return new PlatformError("unauthenticated", code, message, {
    details,
    ...(cause === undefined ? {} : { cause }),
  });
}
