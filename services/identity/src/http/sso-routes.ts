import { principalOf } from "@platform/auth";
import type { BodyRule } from "@platform/http";
import type { Router } from "express";
import type { IdentityService } from "../service";
import { body, requirePermission, routeGuards, tokenResponse } from "./guards";
import { originOf } from "./origin";

/** An IdP posts its SAML response as a browser form (HTTP-POST binding) to the ACS. */
export const samlBodies: BodyRule = {
  path: "/v1/sso/saml",
  types: ["application/x-www-form-urlencoded"],
  limit: "256kb",
};

/** SAML and OIDC: an organization's connections, and the sign-ins that go through them. */
export function ssoRoutes(service: IdentityService) {
  const { inAccount } = routeGuards(service);
  return (router: Router) => {
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
  };
}
