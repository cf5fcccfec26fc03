import { assertMayGrant, assertValidGrants, type Principal } from "@platform/auth";
import { InvalidInputError, NotFoundError, PlatformError } from "@platform/errors";
import type { EventStore } from "@platform/event-sourcing";
import { IdentityEvent } from "../domain/events";
import { newId, newSecret, sha256 } from "../domain/secrets";
import { assertOpen } from "./closed-accounts";
import { appendEvents, type Clock, type Db, type RequestOrigin } from "./context";
import type { Credentials } from "./credentials";
import type { TokenIssuer } from "./signing-keys";

export interface ApiKeyView {
  id: string;
  name: string;
  prefix: string;
  scopes: string[];
  createdAt: Date;
  expiresAt: Date | null;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
}

const KEY_PREFIX = "sk_live_";
const SHOWN_PREFIX_LENGTH = KEY_PREFIX.length + 6;

const invalidKey = () =>
  new PlatformError("unauthenticated", "api_key_invalid", "the API key is invalid, expired or revoked");

/**
 * Organization API keys. The key is shown once and stored as a hash; callers exchange it for a
 * short-lived access token, so every other service only ever verifies JWTs.
 */
export class ApiKeyService {
  constructor(
    private readonly db: Db,
    private readonly store: EventStore,
    private readonly tokens: TokenIssuer,
    private readonly credentials: Credentials,
    private readonly clock: Clock,
  ) {}

  /**
   * A key holds at most what its minter holds: asked for more, the answer names what is missing. Its
   * rights are bounded again at every exchange (Credentials.rightsOfKey), by its creator's rights then.
   */
  async create(
    accountId: string,
    input: { name: unknown; scopes: unknown; expiresAt?: unknown },
    principal: Principal,
    origin: RequestOrigin,
  ): Promise<{ key: string; apiKey: ApiKeyView }> {
    if (typeof input.name !== "string" || input.name.trim() === "" || input.name.length > 100)
      throw new InvalidInputError("api_key_name_invalid", "name must be 1-100 characters", {
        details: { field: "name" },
      });
    if (
      !Array.isArray(input.scopes) ||
      input.scopes.length === 0 ||
      !input.scopes.every((s) => typeof s === "string")
    )
      throw new InvalidInputError(
        "api_key_scopes_invalid",
        "scopes must be a non-empty list of permissions",
        {
          details: { field: "scopes" },
        },
      );
    const scopes = input.scopes as string[];
    try {
      assertValidGrants(scopes);
    } catch (error) {
      throw new InvalidInputError("api_key_scopes_invalid", (error as Error).message, {
        details: { field: "scopes" },
      });
    }
    assertMayGrant(principal, scopes, "the key");
    const minter = await this.credentials.minterOf(this.db, principal);
    if (!minter)
      throw new PlatformError("forbidden", "credential_orphaned", "this API key has no creator to act for");
    const expiresAt = parseOptionalFuture(input.expiresAt, this.clock.now());
    const key = newSecret(KEY_PREFIX);
    const id = newId("key_");
    const now = this.clock.now();
    const row = await this.db.$transaction(async (tx) => {
      // The secret goes to the secret store; api_keys is the inline projection of ApiKeyCreated.
      await tx.apiKeySecret.create({ data: { keyId: id, secretHash: sha256(key) } });
      await appendEvents(
        this.store,
        tx,
        { type: "api_key", id, tenantId: accountId },
        [
          {
            type: IdentityEvent.ApiKeyCreated,
            data: {
              account_id: accountId,
              api_key_id: id,
              name: input.name as string,
              prefix: key.slice(0, SHOWN_PREFIX_LENGTH),
              scopes,
              expires_at: expiresAt?.getTime() ?? null,
              occurred_at: now.getTime(),
              actor: origin.actor,
              creator_user_id: minter.creatorUserId,
              parent_key_id: minter.parentKeyId,
              session_id: minter.sessionId,
            },
          },
        ],
        origin.actor,
        0,
      );
      return tx.apiKey.findUniqueOrThrow({ where: { id } });
    });
    return { key, apiKey: view(row, null) };
  }

  async list(accountId: string): Promise<ApiKeyView[]> {
    const rows = await this.db.apiKey.findMany({ where: { accountId }, orderBy: { createdAt: "asc" } });
    const uses = await this.db.apiKeySecret.findMany({
      where: { keyId: { in: rows.map((row) => row.id) } },
      select: { keyId: true, lastUsedAt: true },
    });
    const lastUse = new Map(uses.map((use) => [use.keyId, use.lastUsedAt]));
    return rows.map((row) => view(row, lastUse.get(row.id) ?? null));
  }

  async revoke(accountId: string, apiKeyId: string, origin: RequestOrigin): Promise<void> {
    await this.db.$transaction(async (tx) => {
      // Scoped by account: another organization's key id is simply not found.
      const key = await tx.apiKey.findFirst({ where: { id: apiKeyId, accountId } });
      if (!key) throw new NotFoundError("api_key_not_found", `API key ${apiKeyId} does not exist`);
      await this.credentials.revokeApiKey(tx, key, "api_key_revoked", origin.actor);
    });
  }

  /**
   * Client-credentials exchange: a valid key buys an access token carrying the key's scopes as far as
   * its creator (and the key that minted it) hold them now. A key whose creator left is refused.
   */
  async exchange(key: unknown): Promise<{ accessToken: string; expiresIn: number; accountId: string }> {
    if (typeof key !== "string" || !key.startsWith(KEY_PREFIX) || key.length > 200) throw invalidKey();
    const now = this.clock.now();
    const secret = await this.db.apiKeySecret.findUnique({ where: { secretHash: sha256(key) } });
    const row = secret ? await this.db.apiKey.findUnique({ where: { id: secret.keyId } }) : null;
    const rights = row ? await this.credentials.rightsOfKey(this.db, row) : null;
    if (!row || !rights) throw invalidKey();
    // A closed organization's keys stop working: no new token acts in it.
    await assertOpen(this.db, row.accountId);
    // Last use is an observation, not a decision: kept beside the secret it is about, never an event
    // (docs/identity.md, State and secrets).
    await this.db.apiKeySecret.update({ where: { keyId: row.id }, data: { lastUsedAt: now } });
    const { token, expiresIn } = await this.tokens.issue({
      typ: "api_key",
      sub: row.id,
      acct: row.accountId,
      scope: rights,
    });
    return { accessToken: token, expiresIn, accountId: row.accountId };
  }
}

function view(row: Omit<ApiKeyView, "lastUsedAt">, lastUsedAt: Date | null): ApiKeyView {
  const { id, name, prefix, scopes, createdAt, expiresAt, revokedAt } = row;
  return { id, name, prefix, scopes, createdAt, expiresAt, revokedAt, lastUsedAt };
}

function parseOptionalFuture(value: unknown, now: Date): Date | null {
  if (value === undefined || value === null) return null;
  const date = typeof value === "string" ? new Date(value) : null;
  if (!date || Number.isNaN(date.getTime()) || date <= now)
    throw new InvalidInputError("api_key_expiry_invalid", "expires_at must be a future ISO 8601 time", {
      details: { field: "expires_at" },
    });
  return date;
}
