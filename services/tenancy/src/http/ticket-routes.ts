import { principalOf } from "@platform/auth";
import { param, routeGuards, who } from "@platform/http";
import type { Router } from "express";
import { type TicketService, ticketJson } from "../app/tickets";
import type { TenancyService } from "../service";

/**
 * Support tickets under /v1/organizations/{accountId}/tickets. Any member may ask for help, so opening
 * and reading need only organization.read; triaging and answering change the ticket, so they need
 * organization.update. (support.create and support.manage exist but no default role below owner holds them.)
 */
export function ticketRoutes(service: TenancyService, tickets: TicketService) {
  const { inAccount } = routeGuards(service);
  const base = "/v1/organizations/:accountId/tickets";

  return (router: Router) => {
    router.post(base, ...inAccount("organization.read"), async (req, res) => {
      const principal = principalOf(res);
      // An API key is not a person; its tickets have no requester to answer.
      const requester = principal.kind === "user" ? principal.subject : null;
      const ticket = await tickets.open(param(req, "accountId"), req.body, requester, who(req, res));
      res.status(201).json(ticketJson(ticket));
    });
    router.get(base, ...inAccount("organization.read"), async (req, res) => {
      const list = await tickets.list(param(req, "accountId"), { status: req.query.status });
      res.json({ data: list.map(ticketJson) });
    });
    router.get(`${base}/:ticketId`, ...inAccount("organization.read"), async (req, res) => {
      res.json(ticketJson(await tickets.get(param(req, "accountId"), param(req, "ticketId"))));
    });
    router.patch(`${base}/:ticketId`, ...inAccount("organization.update"), async (req, res) => {
      const ticket = await tickets.update(
        param(req, "accountId"),
        param(req, "ticketId"),
        req.body,
        who(req, res),
      );
      res.json(ticketJson(ticket));
    });
  };
}
