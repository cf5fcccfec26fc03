import { principalOf } from "@platform/auth";
import { PlatformError } from "@platform/errors";
import type { Router } from "express";
import type { IdentityService } from "../service";
import { body, optionalString, routeGuards, tokenResponse } from "./guards";
import { originOf } from "./origin";

/** Signing in and out, refreshing, and switching the organization a session acts in. */
export function sessionRoutes(service: IdentityService) {
  const { signedIn } = routeGuards(service);
  return (router: Router) => {
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
  };
}
