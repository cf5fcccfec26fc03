import { principalOf } from "@platform/auth";
import { PlatformError } from "@platform/errors";
import type { Router } from "express";
import type { IdentityService } from "../service";
import { body, requirePermission, routeGuards } from "./guards";
import { originOf } from "./origin";

/** Credentials an organization mints: API keys (and their exchange for access tokens) and SCIM tokens. */
export function credentialRoutes(service: IdentityService) {
  const { inAccount } = routeGuards(service);
  return (router: Router) => {
    router.post("/v1/tokens", async (req, res) => {
      const input = body(req);
      if (input.grant_type !== "api_key")
        throw new PlatformError("invalid_input", "grant_type_unsupported", 'grant_type must be "api_key"', {
          details: { field: "grant_type" },
        });
      const { accessToken, expiresIn, accountId } = await service.apiKeys.exchange(input.api_key);
      res.json({
        token_type: "Bearer",
        access_token: accessToken,
        expires_in: expiresIn,
        account_id: accountId,
      });
    });

    router.post(
      "/v1/organizations/:accountId/api-keys",
      ...inAccount,
      requirePermission("api_keys.create"),
      async (req, res) => {
        const input = body(req);
        const { key, apiKey } = await service.apiKeys.create(
          String(req.params.accountId),
          { name: input.name, scopes: input.scopes, expiresAt: input.expires_at },
          principalOf(res),
          originOf(req, principalOf(res)),
        );
        res.status(201).json({ ...apiKeyJson(apiKey), key });
      },
    );

    router.get(
      "/v1/organizations/:accountId/api-keys",
      ...inAccount,
      requirePermission("api_keys.read"),
      async (req, res) => {
        const keys = await service.apiKeys.list(String(req.params.accountId));
        res.json({ data: keys.map(apiKeyJson) });
      },
    );

    router.delete(
      "/v1/organizations/:accountId/api-keys/:apiKeyId",
      ...inAccount,
      requirePermission("api_keys.delete"),
      async (req, res) => {
        await service.apiKeys.revoke(
          String(req.params.accountId),
          String(req.params.apiKeyId),
          originOf(req, principalOf(res)),
        );
        res.status(204).end();
      },
    );

    router.post(
      "/v1/organizations/:accountId/scim-tokens",
      ...inAccount,
      requirePermission("scim.manage"),
      async (req, res) => {
        const { tokenId, token } = await service.directory.issueToken(
          String(req.params.accountId),
          principalOf(res),
          originOf(req, principalOf(res)),
        );
        res
          .status(201)
          .json({ id: tokenId, token, scim_base_url: `${service.config.IDENTITY_PUBLIC_URL}/scim/v2` });
      },
    );

    router.delete(
      "/v1/organizations/:accountId/scim-tokens/:tokenId",
      ...inAccount,
      requirePermission("scim.manage"),
      async (req, res) => {
        await service.directory.revokeToken(
          String(req.params.accountId),
          String(req.params.tokenId),
          originOf(req, principalOf(res)),
        );
        res.status(204).end();
      },
    );
  };
}

function apiKeyJson(key: {
  id: string;
  name: string;
  prefix: string;
  scopes: string[];
  createdAt: Date;
  expiresAt: Date | null;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
}) {
  return {
    id: key.id,
    name: key.name,
    prefix: key.prefix,
    scopes: key.scopes,
    created_at: key.createdAt.toISOString(),
    expires_at: key.expiresAt?.toISOString() ?? null,
    revoked_at: key.revokedAt?.toISOString() ?? null,
    last_used_at: key.lastUsedAt?.toISOString() ?? null,
  };
}
