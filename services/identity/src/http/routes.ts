import * as auth from "@platform/auth";
import { principalOf } from "@platform/auth";
import { PlatformError } from "@platform/errors";
import type { BodyRule } from "@platform/http";
import type { RequestHandler, Router } from "express";
import type { IdentityService } from "../service";
import { originOf } from "./origin";

function body(req: { body?: unknown }): Record<string, unknown> {
  return req.body && typeof req.body === "object" ? (req.body as Record<string, unknown>) : {};
}

function optionalString(value: unknown, field: string): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== "string" || value.length > 200)
    throw new PlatformError(
      "invalid_input",
      "field_invalid",
      `${field} must be a string of at most 200 characters`,
      {
        details: { field },
      },
    );
  return value;
}

function tokenResponse(pair: {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  sessionId: string;
  accountId: string | null;
}) {
  return {
    token_type: "Bearer",
    access_token: pair.accessToken,
    expires_in: pair.expiresIn,
    refresh_token: pair.refreshToken,
    session_id: pair.sessionId,
    account_id: pair.accountId,
  };
}

// The kit's middleware is typed structurally (it does not depend on express); here it is express's.
const requirePermission = (permission: string) => auth.requirePermission(permission) as RequestHandler;

/** An IdP posts its SAML response as a browser form (HTTP-POST binding) to the ACS. */
export const samlBodies: BodyRule = {
  path: "/v1/sso/saml",
  types: ["application/x-www-form-urlencoded"],
  limit: "256kb",
};

/** People, sessions, API keys and the audit log: the JSON API under /v1. */
export function identityRoutes(service: IdentityService) {
  const signedIn = auth.authenticate(service.verifier) as RequestHandler;
  // The token's own organization only, and no writes into it once tenancy closed it (409).
  const requireAccount = (param: string) =>
    auth.requireAccount(param, { closedAccounts: service.closedAccounts }) as RequestHandler;
  return (router: Router) => {
    router.get("/.well-known/jwks.json", async (_req, res) => {
      res.set("Cache-Control", "public, max-age=300").json(await service.signingKeys.jwks());
    });

    router.post("/v1/users", async (req, res) => {
      const input = body(req);
      const { userId } = await service.people.signUp(
        {
          email: input.email,
          password: input.password,
          givenName: optionalString(input.given_name, "given_name"),
          familyName: optionalString(input.family_name, "family_name"),
          invitationToken: input.invitation_token,
        },
        originOf(req),
      );
      res.status(201).json({ user_id: userId, email_verified: input.invitation_token != null });
    });

    // The links in identity's e-mails open these: what the link is for and the request that completes
    // it, which a page renders as a button or form (the GET never spends the token).
    const linkRoute = (path: string, purpose: "verify_email" | "reset_password", body: object) =>
      router.get(path, async (req, res) => {
        await service.people.checkLink(req.query.token, purpose);
        res.set({ "Cache-Control": "no-store", "Referrer-Policy": "no-referrer" });
        res.json({
          purpose,
          complete: {
            method: "POST",
            url: `${service.config.IDENTITY_PUBLIC_URL}${path}`,
            body: { token: req.query.token, ...body },
          },
        });
      });
    linkRoute("/v1/email/verify", "verify_email", {});
    linkRoute("/v1/password/reset", "reset_password", { password: "<new password>" });

    router.post("/v1/email/verify", async (req, res) => {
      await service.people.verifyEmail(body(req).token, originOf(req));
      res.status(204).end();
    });

    router.post("/v1/sessions", async (req, res) => {
      const input = body(req);
      const pair = await service.people.signIn(
        {
          email: input.email,
          password: input.password,
          accountId: optionalString(input.account_id, "account_id"),
          invitationToken: input.invitation_token,
        },
        originOf(req),
      );
      res.status(201).json(tokenResponse(pair));
    });

    router.post("/v1/sessions/refresh", async (req, res) => {
      res.json(tokenResponse(await service.sessions.refresh(body(req).refresh_token, originOf(req))));
    });

    router.delete("/v1/sessions/current", signedIn, async (req, res) => {
      const principal = principalOf(res);
      if (!principal.sessionId)
        throw new PlatformError("forbidden", "session_required", "only a signed-in person has a session");
      await service.sessions.signOut(principal.sessionId, originOf(req, principal));
      res.status(204).end();
    });

    router.post("/v1/sessions/current/account", signedIn, async (req, res) => {
      const principal = principalOf(res);
      if (!principal.sessionId)
        throw new PlatformError("forbidden", "session_required", "only a signed-in person has a session");
      const accountId = optionalString(body(req).account_id, "account_id");
      if (!accountId)
        throw new PlatformError("invalid_input", "field_invalid", "account_id is required", {
          details: { field: "account_id" },
        });
      res.json(
        tokenResponse(
          await service.sessions.switchAccount(principal.sessionId, accountId, originOf(req, principal)),
        ),
      );
    });

    router.post("/v1/password/forgot", async (req, res) => {
      await service.people.requestPasswordReset(body(req).email, originOf(req));
      res.status(202).json({ status: "if the address has an account, a reset link is on its way" });
    });

    router.post("/v1/password/reset", async (req, res) => {
      const input = body(req);
      await service.people.resetPassword({ token: input.token, password: input.password }, originOf(req));
      res.status(204).end();
    });

    router.get("/v1/me", signedIn, async (_req, res) => {
      const principal = principalOf(res);
      if (principal.kind !== "user") {
        res.json({
          kind: principal.kind,
          api_key_id: principal.subject,
          account_id: principal.accountId,
          permissions: principal.permissions,
        });
        return;
      }
      const user = await service.db.user.findUniqueOrThrow({
        where: { id: principal.subject },
        include: { accounts: true },
      });
      res.json({
        kind: "user",
        user_id: user.id,
        email: user.email,
        email_verified: user.emailVerifiedAt !== null,
        given_name: user.givenName,
        family_name: user.familyName,
        account_id: principal.accountId,
        role: principal.role,
        permissions: principal.permissions,
        accounts: user.accounts
          .filter((a) => a.active)
          .map((a) => ({ account_id: a.accountId, role: a.role })),
      });
    });

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

    const inAccount = [signedIn, requireAccount("accountId")];
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

    router.post(
      "/v1/organizations/:accountId/sso/saml-connections",
      ...inAccount,
      requirePermission("sso.manage"),
      async (req, res) => {
        const input = body(req);
        // People this connection provisions get its default role: no more than the configurer holds.
        service.credentials.assertMayAssign(
          principalOf(res),
          String(req.params.accountId),
          typeof input.default_role === "string" ? input.default_role : "member",
        );
        const created = await service.sso.configureSaml(
          String(req.params.accountId),
          {
            name: input.name,
            idpEntityId: input.idp_entity_id,
            idpSsoUrl: input.idp_sso_url,
            idpCertificate: input.idp_certificate,
            domains: input.domains,
            jitProvisioning: input.jit_provisioning,
            defaultRole: input.default_role,
          },
          originOf(req, principalOf(res)),
        );
        res.status(201).json({
          connection_id: created.connectionId,
          sp_entity_id: created.spEntityId,
          acs_url: created.acsUrl,
          login_url: `${service.config.IDENTITY_PUBLIC_URL}/v1/sso/saml/${created.connectionId}/login`,
        });
      },
    );

    router.post(
      "/v1/organizations/:accountId/sso/oidc-connections",
      ...inAccount,
      requirePermission("sso.manage"),
      async (req, res) => {
        const input = body(req);
        // People this connection provisions get its default role: no more than the configurer holds.
        service.credentials.assertMayAssign(
          principalOf(res),
          String(req.params.accountId),
          typeof input.default_role === "string" ? input.default_role : "member",
        );
        const created = await service.oidc.configure(
          String(req.params.accountId),
          {
            name: input.name,
            issuer: input.issuer,
            clientId: input.client_id,
            clientSecret: input.client_secret,
            domains: input.domains,
            jitProvisioning: input.jit_provisioning,
            defaultRole: input.default_role,
          },
          originOf(req, principalOf(res)),
        );
        res.status(201).json({
          connection_id: created.connectionId,
          redirect_uri: created.redirectUri,
          login_url: `${service.config.IDENTITY_PUBLIC_URL}/v1/sso/oidc/${created.connectionId}/login`,
        });
      },
    );

    router.get("/v1/sso/oidc/:connectionId/login", async (req, res) => {
      const { redirectUrl } = await service.oidc.start(String(req.params.connectionId));
      res.redirect(302, redirectUrl);
    });

    router.get("/v1/sso/oidc/:connectionId/callback", async (req, res) => {
      const pair = await service.oidc.complete(
        String(req.params.connectionId),
        req.query as Record<string, unknown>,
        originOf(req),
      );
      res.status(201).json(tokenResponse(pair));
    });

    router.get("/v1/sso/saml/:connectionId/login", async (req, res) => {
      const { redirectUrl } = await service.sso.startSaml(String(req.params.connectionId));
      res.redirect(302, redirectUrl);
    });

    // The IdP posts the response as a browser form (HTTP-POST binding; samlBodies reads it).
    router.post("/v1/sso/saml/:connectionId/acs", async (req, res) => {
      const pair = await service.sso.completeSaml(String(req.params.connectionId), body(req), originOf(req));
      res.status(201).json(tokenResponse(pair));
    });

    router.get(
      "/v1/organizations/:accountId/roles",
      ...inAccount,
      requirePermission("members.read"),
      async (req, res) => {
        const roles = await service.roleDefinitions.list(String(req.params.accountId));
        res.json({ data: roles });
      },
    );

    router.put(
      "/v1/organizations/:accountId/roles/:role",
      ...inAccount,
      requirePermission("roles.manage"),
      async (req, res) => {
        const input = body(req);
        const role = await service.roleDefinitions.define(
          String(req.params.accountId),
          String(req.params.role),
          { permissions: input.permissions, description: input.description },
          principalOf(res),
          originOf(req, principalOf(res)),
        );
        res.json(role);
      },
    );

    router.get(
      "/v1/organizations/:accountId/audit-log",
      ...inAccount,
      requirePermission("audit.read"),
      async (req, res) => {
        const limit = Math.min(Math.max(Number(req.query.limit ?? 50) || 50, 1), 200);
        const before = typeof req.query.before === "string" ? new Date(req.query.before) : undefined;
        const entries = await service.db.auditEntry.findMany({
          where: {
            accountId: String(req.params.accountId),
            ...(before && !Number.isNaN(before.getTime()) ? { occurredAt: { lt: before } } : {}),
          },
          orderBy: [{ occurredAt: "desc" }, { eventId: "desc" }],
          take: limit,
        });
        res.json({
          data: entries.map((e) => ({
            event_id: e.eventId,
            action: e.action,
            actor: { type: e.actorType, id: e.actorId, ip_address: e.ipAddress, user_agent: e.userAgent },
            target_id: e.targetId,
            occurred_at: e.occurredAt.toISOString(),
          })),
        });
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
