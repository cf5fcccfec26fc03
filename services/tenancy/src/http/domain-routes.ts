import * as auth from "@platform/auth";
import { type Principal, principalOf } from "@platform/auth";
import { actorOf, parseBody } from "@platform/http";
import type { Request, RequestHandler, Response, Router } from "express";
import { autoJoinBody, type DomainService, domainJson } from "../app/domains";
import type { TenancyService } from "../service";

// The kit's middleware is typed structurally (it does not depend on express); here it is express's.
const requirePermission = (permission: string) => auth.requirePermission(permission) as RequestHandler;
const requireAccount = auth.requireAccount("accountId") as RequestHandler;

const who = (req: Request, res: Response) => actorOf(req, principalOf(res) as Principal);
const param = (req: Request, name: string) => String(req.params[name]);

/**
 * The organization's e-mail domains under /v1/organizations/{accountId}/domains: the token's own
 * organization only (requireAccount), every query in that tenant's transaction.
 */
export function domainRoutes(service: TenancyService, domains: DomainService) {
  const signedIn = auth.authenticate(service.verifier) as RequestHandler;
  const inAccount = (permission: string) => [signedIn, requireAccount, requirePermission(permission)];
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
