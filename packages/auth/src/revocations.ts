/**
 * Revocations of access tokens before they expire. identity publishes each as an AccessRevoked event
 * (identity.events); every service keeps the recent ones in memory (RevocationFeed) and its verifier
 * refuses a token that one of them matches.
 */
export type RevocationScope = "session" | "api_key" | "user" | "membership";

export const REVOCATION_SCOPES: readonly RevocationScope[] = ["session", "api_key", "user", "membership"];

export interface Revocation {
  scope: RevocationScope;
  /** The session id, API key id or user id the scope names. */
  subjectId: string;
  /** For "membership": the organization; otherwise ignored. */
  accountId: string | null;
  /** Tokens issued at or before this moment (ms since epoch) are refused. */
  tokensIssuedBefore: number;
}

/** What the verifier knows of a token when it asks whether it was revoked. */
export interface RevocableToken {
  kind: "user" | "api_key";
  subject: string;
  sessionId: string | null;
  accountId: string | null;
  /** When the token was issued, in ms since epoch (see issuedAtMsOf). */
  issuedAtMs: number;
}

/** The verifier's revocation hook: in-memory (RevocationSet) or, at identity, its own database. */
export interface RevocationCheck {
  isRevoked(token: RevocableToken): boolean | Promise<boolean>;
  /**
   * Tokens that would outlive this many seconds are refused outright: a store that forgets revocations
   * after a window can only promise anything for tokens shorter than the window.
   */
  readonly maxTokenLifetimeSec?: number;
}

/** The keys under which a revocation matching this token would be filed. */
export function revocationKeysOf(token: RevocableToken): string[] {
  if (token.kind === "api_key") return [keyOf("api_key", token.subject, null)];
  const keys = [keyOf("user", token.subject, null)];
  if (token.sessionId) keys.push(keyOf("session", token.sessionId, null));
  if (token.accountId) keys.push(keyOf("membership", token.subject, token.accountId));
  return keys;
}

export function revocationKeyOf(revocation: Revocation): string {
  return keyOf(revocation.scope, revocation.subjectId, revocation.accountId);
}

/** Whether a revocation of `tokensIssuedBefore` (ms) covers the token. */
export function issuedBy(token: RevocableToken, tokensIssuedBefore: number): boolean {
  return token.issuedAtMs <= tokensIssuedBefore;
}

/**
 * A token's issue time in ms: its signed `iat_ms` when that falls in its `iat` second, else the end
 * of that second. A token without `iat_ms` may have been issued any time in [iat, iat+1), so it is
 * taken as late as possible: a revocation in the same second refuses it rather than let it pass.
 */
export function issuedAtMsOf(payload: { iat: number; iat_ms?: unknown }): number {
  const { iat, iat_ms: ms } = payload;
  return typeof ms === "number" && Number.isInteger(ms) && Math.floor(ms / 1000) === iat
    ? ms
    : iat * 1000 + 999;
}

function keyOf(scope: RevocationScope, subjectId: string, accountId: string | null): string {
  return scope === "membership" ? `membership:${accountId}:${subjectId}` : `${scope}:${subjectId}`;
}

/** Recent revocations in memory, each kept for the window (the longest token lifetime it must outlive). */
export class RevocationSet implements RevocationCheck {
  private readonly latest = new Map<string, number>();

  constructor(readonly windowSeconds: number) {}

  get maxTokenLifetimeSec(): number {
    return this.windowSeconds;
  }

  get size(): number {
    return this.latest.size;
  }

  add(revocation: Revocation): void {
    const key = revocationKeyOf(revocation);
    const known = this.latest.get(key) ?? Number.NEGATIVE_INFINITY;
    if (revocation.tokensIssuedBefore > known) this.latest.set(key, revocation.tokensIssuedBefore);
  }

  isRevoked(token: RevocableToken): boolean {
    return revocationKeysOf(token).some((key) => {
      const before = this.latest.get(key);
      return before !== undefined && issuedBy(token, before);
    });
  }

  /** Forgets revocations older than the window: every token they could refuse has expired. */
  prune(now: number): void {
    const horizon = now - this.windowSeconds * 1000;
    for (const [key, before] of this.latest) if (before < horizon) this.latest.delete(key);
  }
}
