import { NotFoundError, PlatformError } from "@platform/errors";
import type { EventStore } from "@platform/event-sourcing";
import { IdentityEvent } from "../domain/events";
import { newId, newSecret, sha256 } from "../domain/secrets";
import { accessesOfPerson, accessOf } from "./access";
import { assertOpen, closedAccountsIn } from "./closed-accounts";
import { appendEvents, type Clock, type Db, type RequestOrigin, type Tx } from "./context";
import type { Credentials } from "./credentials";
import { personVersion } from "./person-state";
import type { TokenIssuer } from "./signing-keys";

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  sessionId: string;
  accountId: string | null;
}

const SSO_METHODS = new Set(["saml", "oidc"]);
/** The session's refresh token leaked: whatever was minted with the session goes with it. */
const REFRESH_TOKEN_REUSED = "refresh_token_reused";

const invalidRefresh = () =>
  new PlatformError(
    "unauthenticated",
    "refresh_token_invalid",
    "the refresh token is invalid, expired or revoked",
  );

/**
 * Sessions: a short-lived signed access token (other services verify it locally) plus a refresh
 * token that is rotated on every use and stored only as a hash. Ending a session revokes its access
 * tokens too (AccessRevoked): at once here, within seconds in every other service.
 *
 * A session is a credential, so `sessions` is the secret store, whole (src/secret-store.ts says why),
 * and written here. Its events go on the person's aggregate: a command here decides on the session's
 * row, not on the person, so it appends after the person's version read in its own transaction.
 */
export class SessionService {
  constructor(
    private readonly db: Db,
    private readonly store: EventStore,
    private readonly tokens: TokenIssuer,
    private readonly credentials: Credentials,
    private readonly clock: Clock,
    private readonly refreshTtlMs: number,
  ) {}

  async start(
    userId: string,
    options: { method: string; accountId: string | null },
    origin: RequestOrigin,
  ): Promise<TokenPair> {
    return this.db.$transaction(async (tx) => {
      const access = await this.accessIn(tx, userId, options.accountId);
      // Asked for by name (an account_id, an invitation, an organization's SSO): a closed one says so.
      // Only to its members, so nobody else learns whether an organization id is closed.
      if (access && options.accountId) await assertOpen(tx, access.accountId);
      const sessionId = newId("ses_");
      const refreshToken = newSecret("rt_");
      const now = this.clock.now();
      await tx.session.create({
        data: {
          id: sessionId,
          userId,
          accountId: access?.accountId ?? null,
          method: options.method,
          refreshTokenHash: sha256(refreshToken),
          expiresAt: new Date(now.getTime() + this.refreshTtlMs),
          ipAddress: origin.actor.ip_address,
          userAgent: origin.actor.user_agent,
        },
      });
      await appendEvents(
        this.store,
        tx,
        { type: "user", id: userId, tenantId: access?.accountId },
        [
          {
            type: IdentityEvent.UserSignedIn,
            data: {
              account_id: access?.accountId ?? null,
              user_id: userId,
              session_id: sessionId,
              method: options.method,
              occurred_at: now.getTime(),
              actor: { ...origin.actor, type: "user", id: userId },
            },
          },
        ],
        origin.actor,
        await personVersion(tx, userId),
      );
      return this.pair(userId, sessionId, refreshToken, access);
    });
  }

  /** Rotates the refresh token. Presenting a rotated-away token means it leaked: the session ends. */
  async refresh(refreshToken: unknown, origin: RequestOrigin): Promise<TokenPair> {
    if (typeof refreshToken !== "string" || refreshToken.length > 200) throw invalidRefresh();
    const hash = sha256(refreshToken);
    const outcome = await this.db.$transaction(async (tx) => {
      const session = await tx.session.findUnique({ where: { refreshTokenHash: hash } });
      if (!session) {
        const retired = await tx.retiredRefreshToken.findUnique({ where: { tokenHash: hash } });
        if (retired) await this.revoke(tx, retired.sessionId, REFRESH_TOKEN_REUSED, origin);
        return null;
      }
      if (session.revokedAt || session.expiresAt <= this.clock.now()) return null;
      const next = newSecret("rt_");
      // Conditional on the hash we read, so two concurrent refreshes with one token cannot both win.
      const rotated = await tx.session.updateMany({
        where: { id: session.id, refreshTokenHash: hash },
        data: { refreshTokenHash: sha256(next) },
      });
      if (rotated.count !== 1) return null;
      await tx.retiredRefreshToken.create({ data: { tokenHash: hash, sessionId: session.id } });
      const access = await this.accessIn(tx, session.userId, session.accountId);
      return this.pair(session.userId, session.id, next, access);
    });
    if (!outcome) throw invalidRefresh();
    return outcome;
  }

  async signOut(sessionId: string, origin: RequestOrigin): Promise<void> {
    await this.db.$transaction(async (tx) => {
      await this.revoke(tx, sessionId, "user", origin);
    });
  }

  /** Multi-account people (seed 000): the session now acts in another organization the person belongs to. */
  async switchAccount(sessionId: string, accountId: string, origin: RequestOrigin): Promise<TokenPair> {
    return this.db.$transaction(async (tx) => {
      const session = await tx.session.findUnique({ where: { id: sessionId } });
      if (!session || session.revokedAt) throw invalidRefresh();
      // An organization's IdP vouches for the person in that organization only: its sessions stay there.
      if (SSO_METHODS.has(session.method) && accountId !== session.accountId)
        throw new PlatformError(
          "forbidden",
          "sso_session_pinned",
          "a single sign-on session cannot switch organization; sign in again",
        );
      const access = await this.accessIn(tx, session.userId, accountId);
      if (!access)
        throw new NotFoundError("account_not_member", `you are not an active member of ${accountId}`);
      await assertOpen(tx, accountId);
      const refreshToken = newSecret("rt_");
      await tx.retiredRefreshToken.create({ data: { tokenHash: session.refreshTokenHash, sessionId } });
      await tx.session.update({
        where: { id: sessionId },
        data: { accountId, refreshTokenHash: sha256(refreshToken) },
      });
      await appendEvents(
        this.store,
        tx,
        { type: "user", id: session.userId, tenantId: accountId },
        [
          {
            type: IdentityEvent.AccountSwitched,
            data: {
              account_id: accountId,
              user_id: session.userId,
              session_id: sessionId,
              previous_account_id: session.accountId,
              occurred_at: this.clock.now().getTime(),
              actor: { ...origin.actor, type: "user", id: session.userId },
            },
          },
        ],
        origin.actor,
        await personVersion(tx, session.userId),
      );
      return this.pair(session.userId, sessionId, refreshToken, access);
    });
  }

  /** How many sessions `revokeAllOf` would end now (for an event that says so before it runs). */
  async countLive(tx: Tx, userId: string, accountId: string | null): Promise<number> {
    return tx.session.count({ where: { userId, revokedAt: null, ...(accountId ? { accountId } : {}) } });
  }

  /** Ends every live session of a person (in one organization, or everywhere when accountId is null). */
  async revokeAllOf(
    tx: Tx,
    userId: string,
    accountId: string | null,
    reason: string,
    origin: RequestOrigin,
  ): Promise<number> {
    const live = await tx.session.findMany({
      where: { userId, revokedAt: null, ...(accountId ? { accountId } : {}) },
      select: { id: true },
    });
    for (const { id } of live) await this.revoke(tx, id, reason, origin);
    // Tokens acting in that organization (or anywhere) from sessions that switched since, too; and
    // the person's keys there lose what the person lost.
    if (accountId) {
      await this.credentials.revokeAccess(
        tx,
        { scope: "membership", subjectId: userId, accountId, reason },
        origin.actor,
      );
      await this.credentials.narrowKeysOf(tx, userId, accountId, reason, origin.actor);
    } else {
      await this.credentials.revokeAccess(
        tx,
        { scope: "user", subjectId: userId, accountId: null, reason },
        origin.actor,
      );
    }
    return live.length;
  }

  private async revoke(tx: Tx, sessionId: string, reason: string, origin: RequestOrigin): Promise<void> {
    const session = await tx.session.findUnique({ where: { id: sessionId } });
    if (!session || session.revokedAt) return;
    await tx.session.update({
      where: { id: sessionId },
      data: { revokedAt: this.clock.now(), revokeReason: reason },
    });
    await appendEvents(
      this.store,
      tx,
      { type: "user", id: session.userId, tenantId: session.accountId },
      [
        {
          type: IdentityEvent.UserSignedOut,
          data: {
            account_id: session.accountId,
            user_id: session.userId,
            session_id: sessionId,
            reason,
            occurred_at: this.clock.now().getTime(),
            actor: origin.actor,
          },
        },
      ],
      origin.actor,
      await personVersion(tx, session.userId),
    );
    await this.credentials.revokeAccess(
      tx,
      { scope: "session", subjectId: sessionId, accountId: session.accountId, reason },
      origin.actor,
    );
    // A sign-out is routine and keeps the person's keys (they are bounded by the person's rights anyway);
    // a leaked session takes what was minted with it (docs/identity.md).
    if (reason === REFRESH_TOKEN_REUSED) {
      await this.credentials.revokeMintedBy(tx, { sessionId }, reason, origin.actor);
    }
  }

  /**
   * The person's active access to an organization; without a requested one, their oldest that is not
   * closed (a session is not started in an organization that takes no writes unless asked for).
   */
  private async accessIn(tx: Tx, userId: string, accountId: string | null) {
    if (accountId) {
      const access = await accessOf(tx, userId, accountId);
      return access?.active ? access : null;
    }
    const closed = closedAccountsIn(tx);
    for (const access of await accessesOfPerson(tx, userId, true))
      if (!(await closed.isClosed(access.accountId))) return access;
    return null;
  }

  private async pair(
    userId: string,
    sessionId: string,
    refreshToken: string,
    access: { accountId: string; role: string } | null,
  ): Promise<TokenPair> {
    const { token, expiresIn } = await this.tokens.issue({
      typ: "user",
      sub: userId,
      sid: sessionId,
      acct: access?.accountId,
      role: access?.role,
    });
    return { accessToken: token, refreshToken, expiresIn, sessionId, accountId: access?.accountId ?? null };
  }
}
