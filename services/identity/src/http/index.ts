import type { HttpAppOptions } from "@platform/http";
import type { Router } from "express";
import type { IdentityService } from "../service";
import { identityRoutes, samlBodies } from "./routes";
import { scimBodies, scimProblemFormat, scimRoutes } from "./scim-routes";

/** Everything identity serves over HTTP: the JSON API under /v1 and SCIM 2.0 under /scim/v2. */
export function identityHttpRoutes(service: IdentityService): (router: Router) => void {
  const scim = scimRoutes(service);
  const api = identityRoutes(service);
  return (router) => {
    scim(router);
    api(router);
  };
}

/** identity's routes with the bodies they read beyond JSON and SCIM's error format, for createHttpApp. */
export function identityHttp(
  service: IdentityService,
): Pick<HttpAppOptions, "routes" | "bodies" | "problemFormats"> {
  return {
    routes: identityHttpRoutes(service),
    bodies: [scimBodies, samlBodies],
    problemFormats: [scimProblemFormat],
  };
}
