import type { Router } from "express";
import type { IdentityService } from "../service";
import { identityRoutes } from "./routes";
import { scimRoutes } from "./scim-routes";

/** Everything identity serves over HTTP: the JSON API under /v1 and SCIM 2.0 under /scim/v2. */
export function identityHttpRoutes(service: IdentityService): (router: Router) => void {
  const scim = scimRoutes(service);
  const api = identityRoutes(service);
  return (router) => {
    scim(router);
    api(router);
  };
}
