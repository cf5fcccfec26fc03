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
  /** The token's iat (whole seconds since epoch). */
  issuedAt: number;
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

/**
 * iat has whole seconds, a revocation milliseconds: a token of second s may have been issued any time
 * in [s, s+1), so it is refused when s*1000 <= the moment. A token issued later in that same second is
 * refused too (the caller signs in or exchanges again a second later); never the other way round.
 */
export function issuedBy(token: RevocableToken, tokensIssuedBefore: number): boolean {
  return token.issuedAt * 1000 <= tokensIssuedBefore;
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
