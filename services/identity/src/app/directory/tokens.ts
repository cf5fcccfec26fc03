import { assertPermitted, type Principal, permits } from "@platform/auth";
import { NotFoundError, PlatformError } from "@platform/errors";
import { IdentityEvent } from "../../domain/events";
import { newId, newSecret, sha256 } from "../../domain/secrets";
import { assertOpen } from "../closed-accounts";
import type { RequestOrigin } from "../context";
import type { Credentials } from "../credentials";
import { appendDirectoryEvent, type Directory, type DirectoryDeps } from "./shared";

const TOKEN_PREFIX = "scim_";
const SCIM_PERMISSION = "scim.manage";

/** A directory's bearer tokens: issued by a person (or their key), revoked, and checked on every request. */
export class ScimTokens {
  constructor(
    private readonly deps: DirectoryDeps,
    private readonly credentials: Credentials,
  ) {}

  /** A directory token acts for its minter: it works while they (and the key they used) hold scim.manage. */
  async issueToken(
    accountId: string,
    principal: Principal,
    origin: RequestOrigin,
  ): Promise<{ tokenId: string; token: string }> {
    assertPermitted(principal, SCIM_PERMISSION);
    const minter = await this.credentials.minterOf(this.deps.db, principal);
    if (!minter)
      throw new PlatformError("forbidden", "credential_orphaned", "this API key has no creator to act for");
    const token = newSecret(TOKEN_PREFIX);
    const tokenId = newId("scimtok_");
    await this.deps.db.$transaction(async (tx) => {
      // The hash goes to the secret store; scim_tokens is the inline projection of ScimTokenIssued.
      await tx.scimTokenSecret.create({ data: { tokenId, tokenHash: sha256(token) } });
      await appendDirectoryEvent(
        this.deps,
        tx,
        { type: "scim_token", id: tokenId, tenantId: accountId },
        IdentityEvent.ScimTokenIssued,
        {
          account_id: accountId,
          token_id: tokenId,
          prefix: token.slice(0, TOKEN_PREFIX.length + 6),
          creator_user_id: minter.creatorUserId,
          parent_key_id: minter.parentKeyId,
          session_id: minter.sessionId,
        },
        origin,
        0,
      );
    });
    return { tokenId, token };
  }

  async revokeToken(accountId: string, tokenId: string, origin: RequestOrigin): Promise<void> {
    await this.deps.db.$transaction(async (tx) => {
      const row = await tx.scimToken.findFirst({ where: { id: tokenId, accountId } });
      if (!row) throw new NotFoundError("scim_token_not_found", `SCIM token ${tokenId} does not exist`);
      await this.credentials.revokeScimToken(tx, row, origin.actor);
    });
  }

  async authenticate(authorization: string | undefined): Promise<Directory> {
    const { db } = this.deps;
    const token = authorization?.startsWith("Bearer ") ? authorization.slice(7).trim() : "";
    const secret = token.startsWith(TOKEN_PREFIX)
      ? await db.scimTokenSecret.findUnique({ where: { tokenHash: sha256(token) } })
      : null;
    const row = secret ? await db.scimToken.findUnique({ where: { id: secret.tokenId } }) : null;
    const rights = row ? await this.credentials.rightsOfScimToken(db, row) : null;
    if (!row || !rights || !permits(rights, SCIM_PERMISSION))
      throw new PlatformError(
        "unauthenticated",
        "scim_token_invalid",
        "the SCIM bearer token is invalid or revoked, or whoever issued it no longer manages the directory",
      );
    // A closed organization's directory stops: every request, read or write, answers 409 in SCIM's format.
    await assertOpen(db, row.accountId);
    return { accountId: row.accountId, tokenId: row.id };
  }
}
