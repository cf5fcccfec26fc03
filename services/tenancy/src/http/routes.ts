import { principalOf } from "@platform/auth";
import { inTenant } from "@platform/database";
import { PlatformError } from "@platform/errors";
import { param, routeGuards, who } from "@platform/http";
import type { Request, Router } from "express";
import { groupJson } from "../app/groups";
import { invitationJson, openedInvitationJson } from "../app/invitations";
import { membershipJson } from "../app/membership-changes";
import { organizationJson } from "../app/organizations";
import type { TenancyService } from "../service";
import { domainRoutes } from "./domain-routes";
import { ticketRoutes } from "./ticket-routes";

/**
 * tenancy's JSON API under /v1. Every route below /v1/organizations/{accountId} is for the token's
 * own organization only (requireAccount), and every query runs in that tenant's transaction.
 */
export function tenancyRoutes(service: TenancyService) {
  const { signedIn, inAccount } = routeGuards(service);
  const { organizations, groups, members, invitations } = service;

  return (router: Router) => {
    router.post("/v1/organizations", signedIn, async (req, res) => {
      const principal = principalOf(res);
      if (principal.kind !== "user")
        throw new PlatformError(
          "forbidden",
          "person_required",
          "organizations are created by people, not API keys",
        );
      const org = await organizations.create(req.body, principal.subject, who(req, res));
      res.status(201).json(organizationJson(org));
    });
    router.get("/v1/organizations/:accountId", ...inAccount("organization.read"), async (req, res) => {
      res.json(organizationJson(await organizations.get(param(req, "accountId"))));
    });
    router.patch("/v1/organizations/:accountId", ...inAccount("organization.update"), async (req, res) => {
      res.json(
        organizationJson(await organizations.update(param(req, "accountId"), req.body, who(req, res))),
      );
    });
    router.delete("/v1/organizations/:accountId", ...inAccount("organization.delete"), async (req, res) => {
      const reason = typeof req.body?.reason === "string" ? req.body.reason.slice(0, 500) : null;
      res.json(organizationJson(await organizations.close(param(req, "accountId"), reason, who(req, res))));
    });
    router.get("/v1/organizations/:accountId/traits", ...inAccount("organization.read"), async (req, res) => {
      const accountId = param(req, "accountId");
      const traits = await inTenant(service.db, accountId, (tx) =>
        tx.accountTraits.findUnique({ where: { accountId } }),
      );
      res.json({
        account_id: accountId,
        name: traits?.name ?? null,
        plan: traits?.plan ?? null,
        created_at: traits?.createdAt?.toISOString() ?? null,
        mrr: traits?.mrrCents == null ? null : Number(traits.mrrCents) / 100,
        employee_count: traits?.employeeCount ?? null,
        industry: traits?.industry ?? null,
        number_of_users: traits?.numberOfUsers ?? 0,
        billing_cycle: traits?.billingCycle ?? null,
        support_level: traits?.supportLevel ?? null,
        seat_limit: traits?.seatLimit ?? service.config.SEAT_LIMIT_WITHOUT_PLAN,
        project_limit: traits?.projectLimit ?? service.config.PROJECT_LIMIT_WITHOUT_PLAN,
        status: traits?.status ?? null,
      });
    });

    router.get("/v1/organizations/:accountId/groups", ...inAccount("groups.read"), async (req, res) => {
      const list = await groups.list(param(req, "accountId"), req.query.include_archived === "true");
      res.json({ data: list.map(groupJson) });
    });
    router.post("/v1/organizations/:accountId/groups", ...inAccount("groups.create"), async (req, res) => {
      res.status(201).json(groupJson(await groups.create(param(req, "accountId"), req.body, who(req, res))));
    });
    router.get(
      "/v1/organizations/:accountId/groups/:groupId",
      ...inAccount("groups.read"),
      async (req, res) => {
        res.json(groupJson(await groups.get(param(req, "accountId"), param(req, "groupId"))));
      },
    );
    router.patch(
      "/v1/organizations/:accountId/groups/:groupId",
      ...inAccount("groups.update"),
      async (req, res) => {
        res.json(
          groupJson(
            await groups.rename(param(req, "accountId"), param(req, "groupId"), req.body, who(req, res)),
          ),
        );
      },
    );
    router.post(
      "/v1/organizations/:accountId/groups/:groupId/move",
      ...inAccount("groups.update"),
      async (req, res) => {
        res.json(
          groupJson(
            await groups.move(param(req, "accountId"), param(req, "groupId"), req.body, who(req, res)),
          ),
        );
      },
    );
    router.post(
      "/v1/organizations/:accountId/groups/:groupId/archive",
      ...inAccount("groups.archive"),
      async (req, res) => {
        res.json(
          groupJson(await groups.archive(param(req, "accountId"), param(req, "groupId"), who(req, res))),
        );
      },
    );

    // The organization's members live at /members, a group's at /groups/{id}/members: one handler set.
    const groupOf = (req: Request) => (req.params.groupId ? param(req, "groupId") : param(req, "accountId"));
    for (const base of [
      "/v1/organizations/:accountId/members",
      "/v1/organizations/:accountId/groups/:groupId/members",
    ]) {
      router.get(base, ...inAccount("members.read"), async (req, res) => {
        const list = await members.list(param(req, "accountId"), groupOf(req));
        res.json({ data: list.map(membershipJson) });
      });
      router.post(base, ...inAccount("members.manage"), async (req, res) => {
        const added = await members.add(param(req, "accountId"), groupOf(req), req.body, who(req, res));
        res.status(201).json(membershipJson(added));
      });
      router.patch(`${base}/:userId`, ...inAccount("members.manage"), async (req, res) => {
        const changed = await members.changeRole(
          param(req, "accountId"),
          groupOf(req),
          param(req, "userId"),
          req.body,
          principalOf(res),
          who(req, res),
        );
        res.json(membershipJson(changed));
      });
      router.delete(`${base}/:userId`, ...inAccount("members.manage"), async (req, res) => {
        await members.remove(
          param(req, "accountId"),
          groupOf(req),
          param(req, "userId"),
          principalOf(res),
          who(req, res),
        );
        res.status(204).end();
      });
    }

    // What the link in an invitation e-mail opens; the link's secret is the only credential.
    router.get("/v1/invitations/open", async (req, res) => {
      const opened = await invitations.open(req.query.account_id, req.query.token);
      // The answer repeats the secret: no cache or later page may keep or pass it on.
      res.set({ "Cache-Control": "no-store", "Referrer-Policy": "no-referrer" });
      res.json(openedInvitationJson(opened, service.config.IDENTITY_PUBLIC_URL));
    });
    router.get(
      "/v1/organizations/:accountId/invitations",
      ...inAccount("invitations.read"),
      async (req, res) => {
        res.json({ data: (await invitations.listInvitations(param(req, "accountId"))).map(invitationJson) });
      },
    );
    router.post(
      "/v1/organizations/:accountId/invitations",
      ...inAccount("invitations.create"),
      async (req, res) => {
        res
          .status(201)
          .json(
            invitationJson(
              await invitations.invite(param(req, "accountId"), req.body, principalOf(res), who(req, res)),
            ),
          );
      },
    );
    router.post(
      "/v1/organizations/:accountId/invitations/:invitationId/resend",
      ...inAccount("invitations.create"),
      async (req, res) => {
        res.json(
          invitationJson(
            await invitations.resend(param(req, "accountId"), param(req, "invitationId"), who(req, res)),
          ),
        );
      },
    );
    router.delete(
      "/v1/organizations/:accountId/invitations/:invitationId",
      ...inAccount("invitations.revoke"),
      async (req, res) => {
        res.json(
          invitationJson(
            await invitations.revoke(param(req, "accountId"), param(req, "invitationId"), who(req, res)),
          ),
        );
      },
    );

    ticketRoutes(service, service.tickets)(router);
    domainRoutes(service)(router);
  };
}
