import { param, parseBody, routeGuards, who } from "@platform/http";
import type { Router } from "express";
import { autoJoinBody, domainJson } from "../app/domains";
import type { TenancyService } from "../service";

/**
 * The organization's e-mail domains under /v1/organizations/{accountId}/domains: the token's own
 * organization only (requireAccount), every query in that tenant's transaction.
 */
export function domainRoutes(service: TenancyService) {
  const { inAccount } = routeGuards(service);
  const { domains } = service;
  const base = "/v1/organizations/:accountId/domains";

  return (router: Router) => {
    router.get(base, ...inAccount("organization.read"), async (req, res) => {
      res.json({ data: (await domains.list(param(req, "accountId"))).map(domainJson) });
    });
    router.post(base, ...inAccount("organization.update"), async (req, res) => {
      res.status(201).json(domainJson(await domains.add(param(req, "accountId"), req.body, who(req, res))));
    });
    router.post(`${base}/:domainId/verify`, ...inAccount("organization.update"), async (req, res) => {
      res.json(
        domainJson(await domains.verify(param(req, "accountId"), param(req, "domainId"), who(req, res))),
      );
    });
    router.patch(`${base}/:domainId`, ...inAccount("organization.update"), async (req, res) => {
      const { auto_join } = parseBody(autoJoinBody, req.body);
      res.json(
        domainJson(
          await domains.setAutoJoin(
            param(req, "accountId"),
            param(req, "domainId"),
            auto_join,
            who(req, res),
          ),
        ),
      );
    });
    router.delete(`${base}/:domainId`, ...inAccount("organization.update"), async (req, res) => {
      await domains.remove(param(req, "accountId"), param(req, "domainId"), who(req, res));
      res.status(204).end();
    });
  };
}
