import {
  assertMayGrant,
  intersectGrants,
  issuedBy,
  type Principal,
  type RevocableToken,
  type RevocationCheck,
  type RevocationScope,
  type RoleCatalog,
  revocationKeyOf,
  revocationKeysOf,
} from "@platform/auth";
import type { EventStore } from "@platform/event-sourcing";
import { decideRevocation } from "../domain/credentials";
import { type Actor, IdentityEvent } from "../domain/events";
import { newId } from "../domain/secrets";
import { accessOf } from "./access";
import { appendEvents, type Clock, type Db, type Tx } from "./context";

/** Who mints a credential for an organization, and so whose rights bound it for as long as it lives. */
export interface Minter {
  /** The person at the root: a person's own id, or the creator of the API key that mints. */
  creatorUserId: string;
  /** The API key whose token mints, if any. */
  parentKeyId: string | null;
  /** The session whose token mints, if any. */
  sessionId: string | null;
}

export interface RevocationRequest {
  scope: RevocationScope;
  subjectId: string;
  accountId: string | null;
  reason: string;
  /** Makes the revocation idempotent when it is caused by an event that may be applied again (a replay). */
  causeId?: string;
}

type KeyRow = NonNullable<Awaited<ReturnType<Tx["apiKey"]["findUnique"]>>>;
type ScimTokenRow = NonNullable<Awaited<ReturnType<Tx["scimToken"]["findUnique"]>>>;

// A chain of keys minting keys is short in practice; the bound stops a cycle in bad data from looping.
const MAX_KEY_CHAIN = 10;

/**
 * The rules every credential one person mints for an organization follows (API keys, SCIM tokens):
 * it never holds more than its creator holds now, and it dies with what minted it. And the one place
 * identity revokes access: each revocation is an AccessRevoked event (every service's verifier keeps
 * them) whose inline projection is a row in `revocations` (identity's own verifier reads it, so
 * identity refuses at once).
 */
export class Credentials {
  constructor(
    private readonly store: EventStore,
    private readonly roles: RoleCatalog,
    private readonly clock: Clock,
  ) {}

  // ---- minting and rights ----

  /** Whoever makes others hold a role (a connection's default role, an invitation) must hold it all. */
  assertMayAssign(principal: Principal, accountId: string, role: string): void {
    assertMayGrant(principal, this.roles.permissionsOf(accountId, role), `the role ${role}`);
  }

  /** The minter behind a verified principal, or null when nobody a credential could hang on is behind it. */
  async minterOf(tx: Tx | Db, principal: Principal): Promise<Minter | null> {
    if (principal.kind === "user") {
      return {
        creatorUserId: principal.subject,
        parentKeyId: null,
        sessionId: principal.sessionId,
      };
    }
    const key = await tx.apiKey.findUnique({ where: { id: principal.subject } });
    if (!key?.creatorUserId) return null;
    return {
      creatorUserId: key.creatorUserId,
      parentKeyId: key.id,
      sessionId: null,
    };
  }

  /** What a person may do in an organization now: their role's grants; null if not an active member. */
  async rightsOfPerson(tx: Tx | Db, userId: string, accountId: string): Promise<readonly string[] | null> {
    const access = await accessOf(tx, userId, accountId);
    if (!access?.active) return null;
    return this.roles.permissionsOf(accountId, access.role);
  }

  /**
   * What an API key may do now: its scopes narrowed to its creator's rights and to those of the key
   * that minted it, all the way up; null when any link is gone (revoked, expired, creator left).
   */
  async rightsOfKey(tx: Tx | Db, key: KeyRow, depth = 0): Promise<string[] | null> {
    if (key.revokedAt || (key.expiresAt && key.expiresAt <= this.clock.now()) || !key.creatorUserId)
      return null;
    const creator = await this.rightsOfPerson(tx, key.creatorUserId, key.accountId);
    if (!creator) return null;
    let rights = intersectGrants(key.scopes, creator);
    if (key.parentKeyId) {
      const parent = await tx.apiKey.findUnique({ where: { id: key.parentKeyId } });
      const parentRights =
        parent && depth < MAX_KEY_CHAIN ? await this.rightsOfKey(tx, parent, depth + 1) : null;
      if (!parentRights) return null;
      rights = intersectGrants(rights, parentRights);
    }
    return rights;
  }

  /** What a SCIM token may do now: as a key, bounded by its creator and the key that minted it. */
  async rightsOfScimToken(tx: Tx | Db, token: ScimTokenRow): Promise<readonly string[] | null> {
    if (token.revokedAt || !token.creatorUserId) return null;
    const creator = await this.rightsOfPerson(tx, token.creatorUserId, token.accountId);
    if (!creator) return null;
    if (!token.parentKeyId) return creator;
    const parent = await tx.apiKey.findUnique({ where: { id: token.parentKeyId } });
    const parentRights = parent ? await this.rightsOfKey(tx, parent) : null;
    return parentRights ? intersectGrants(creator, parentRights) : null;
  }

  // ---- revocation ----

  /** Appends AccessRevoked and files it, in the caller's transaction; a repeated cause is a no-op. */
  async revokeAccess(tx: Tx, request: RevocationRequest, actor: Actor): Promise<void> {
    const id = request.causeId
      ? `rev_${request.causeId}_${revocationKeyOf({ ...request, tokensIssuedBefore: 0 })}`
      : newId("rev_");
    if (request.causeId && (await tx.revocation.findUnique({ where: { id } }))) return;
    const now = this.clock.now();
    // Each revocation is a new aggregate; its row is the inline projection of AccessRevoked.
    await appendEvents(
      this.store,
      tx,
      { type: "revocation", id, tenantId: request.accountId },
      [
        {
          type: IdentityEvent.AccessRevoked,
          data: {
            account_id: request.accountId,
            scope: request.scope,
            subject_id: request.subjectId,
            tokens_issued_before: now.getTime(),
            reason: request.reason,
            occurred_at: now.getTime(),
            actor,
          },
        },
      ],
      actor,
      0,
    );
  }

  /**
   * Revokes an API key, its tokens, and every credential minted with them. Reads the key's state in
   * the caller's transaction (a cascade may have revoked it a moment ago) and appends ApiKeyRevoked at
   * the version it decided on; api_keys is written by the event's inline handler.
   */
  async revokeApiKey(tx: Tx, key: Pick<KeyRow, "id">, reason: string, actor: Actor): Promise<void> {
    const state = await tx.apiKey.findUnique({ where: { id: key.id } });
    const decided = state ? decideRevocation(state) : null;
    if (!state || !decided) return;
    await appendEvents(
      this.store,
      tx,
      { type: "api_key", id: state.id, tenantId: state.accountId },
      [
        {
          type: IdentityEvent.ApiKeyRevoked,
          data: {
            account_id: state.accountId,
            api_key_id: state.id,
            name: state.name,
            occurred_at: this.clock.now().getTime(),
            actor,
          },
        },
      ],
      actor,
      decided.expectedVersion,
    );
    await this.revokeAccess(
      tx,
      { scope: "api_key", subjectId: state.id, accountId: state.accountId, reason },
      actor,
    );
    await this.revokeMintedBy(tx, { parentKeyId: state.id }, "parent_revoked", actor);
  }

  /** Revokes a SCIM token: ScimTokenRevoked at the version decided on, as for a key. */
  async revokeScimToken(tx: Tx, token: Pick<ScimTokenRow, "id">, actor: Actor): Promise<void> {
    const state = await tx.scimToken.findUnique({ where: { id: token.id } });
    const decided = state ? decideRevocation(state) : null;
    if (!state || !decided) return;
    await appendEvents(
      this.store,
      tx,
      { type: "scim_token", id: state.id, tenantId: state.accountId },
      [
        {
          type: IdentityEvent.ScimTokenRevoked,
          data: {
            account_id: state.accountId,
            token_id: state.id,
            occurred_at: this.clock.now().getTime(),
            actor,
          },
        },
      ],
      actor,
      decided.expectedVersion,
    );
  }

  /** Credentials inherit the revocation of the token that minted them. */
  async revokeMintedBy(
    tx: Tx,
    mintedBy: { parentKeyId: string } | { sessionId: string },
    reason: string,
    actor: Actor,
  ): Promise<void> {
    const where = { ...mintedBy, revokedAt: null };
    const select = { id: true };
    for (const key of await tx.apiKey.findMany({ where, select }))
      await this.revokeApiKey(tx, key, reason, actor);
    for (const token of await tx.scimToken.findMany({ where, select }))
      await this.revokeScimToken(tx, token, actor);
  }

  /**
   * A person's rights in an organization shrank or ended: the tokens their API keys were exchanged for
   * carry the old rights, so they stop working; the next exchange gets the narrower ones.
   */
  async narrowKeysOf(
    tx: Tx,
    userId: string,
    accountId: string,
    reason: string,
    actor: Actor,
    causeId?: string,
  ): Promise<void> {
    const keys = await tx.apiKey.findMany({
      where: { creatorUserId: userId, accountId, revokedAt: null },
      select: { id: true },
    });
    for (const { id } of keys) {
      await this.revokeAccess(tx, { scope: "api_key", subjectId: id, accountId, reason, causeId }, actor);
    }
  }

  /** identity's own verifier hook: the revocations table, so every instance refuses at once. */
  check(db: Db): RevocationCheck {
    return {
      isRevoked: async (token: RevocableToken) => {
        const subjects = [token.subject, ...(token.sessionId ? [token.sessionId] : [])];
        const [rows, session] = await Promise.all([
          db.revocation.findMany({ where: { subjectId: { in: subjects } } }),
          token.sessionId
            ? db.session.findUnique({ where: { id: token.sessionId }, select: { revokedAt: true } })
            : null,
        ]);
        if (token.sessionId && (!session || session.revokedAt)) return true;
        const keys = new Set(revocationKeysOf(token));
        return rows.some(
          (row) =>
            keys.has(
              revocationKeyOf({
                scope: row.scope as RevocationScope,
                subjectId: row.subjectId,
                accountId: row.accountId,
                tokensIssuedBefore: 0,
              }),
            ) && issuedBy(token, row.tokensIssuedBefore.getTime()),
        );
      },
    };
  }
}
