import type { Router } from "express";
import type { IdentityService } from "../service";
import { credentialRoutes } from "./credential-routes";
import { organizationRoutes } from "./organization-routes";
import { peopleRoutes } from "./people-routes";
import { sessionRoutes } from "./session-routes";
import { ssoRoutes } from "./sso-routes";

export { samlBodies } from "./sso-routes";

/** People, sessions, API keys, SSO, roles and the audit log: the JSON API under /v1, one module per area. */
export function identityRoutes(service: IdentityService) {
  const areas = [
    peopleRoutes(service),
    sessionRoutes(service),
    credentialRoutes(service),
    ssoRoutes(service),
    organizationRoutes(service),
  ];
  return (router: Router) => {
    // The keys access tokens are verified with, for every service's verifier.
    router.get("/.well-known/jwks.json", async (_req, res) => {
      res.set("Cache-Control", "public, max-age=300").json(await service.signingKeys.jwks());
    });
    for (const area of areas) area(router);
  };
}
