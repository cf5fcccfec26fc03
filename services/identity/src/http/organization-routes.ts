import { principalOf } from "@platform/auth";
import type { Router } from "express";
import type { IdentityService } from "../service";
import { body, requirePermission, routeGuards } from "./guards";
import { originOf } from "./origin";

/** An organization's role definitions and its audit log. */
export function organizationRoutes(service: IdentityService) {
  const { inAccount } = routeGuards(service);
  return (router: Router) => {
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
