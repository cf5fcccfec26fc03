import { principalOf } from "@platform/auth";
import type { Router } from "express";
import { accessesOfPerson } from "../app/access";
import type { IdentityService } from "../service";
import { body, optionalString, routeGuards } from "./guards";
import { originOf } from "./origin";

/** Signing up, the links of identity's e-mails (address verification, password reset), and /v1/me. */
export function peopleRoutes(service: IdentityService) {
  const { signedIn } = routeGuards(service);
  return (router: Router) => {
    router.post("/v1/users", async (req, res) => {
      const input = body(req);
      const { userId } = await service.people.signUp(
        {
          email: input.email,
          password: input.password,
          givenName: optionalString(input.given_name, "given_name"),
          familyName: optionalString(input.family_name, "family_name"),
          invitationToken: input.invitation_token,
        },
        originOf(req),
      );
      res.status(201).json({ user_id: userId, email_verified: input.invitation_token != null });
    });

    // The links in identity's e-mails open these: what the link is for and the request that completes
    // it, which a page renders as a button or form (the GET never spends the token).
    const linkRoute = (path: string, purpose: "verify_email" | "reset_password", body: object) =>
      router.get(path, async (req, res) => {
        await service.people.checkLink(req.query.token, purpose);
        res.set({ "Cache-Control": "no-store", "Referrer-Policy": "no-referrer" });
        res.json({
          purpose,
          complete: {
            method: "POST",
            url: `${service.config.IDENTITY_PUBLIC_URL}${path}`,
            body: { token: req.query.token, ...body },
          },
        });
      });
    linkRoute("/v1/email/verify", "verify_email", {});
    linkRoute("/v1/password/reset", "reset_password", { password: "<new password>" });

    router.post("/v1/email/verify", async (req, res) => {
      await service.people.verifyEmail(body(req).token, originOf(req));
      res.status(204).end();
    });

    router.post("/v1/password/forgot", async (req, res) => {
      await service.people.requestPasswordReset(body(req).email, originOf(req));
      res.status(202).json({ status: "if the address has an account, a reset link is on its way" });
    });

    router.post("/v1/password/reset", async (req, res) => {
      const input = body(req);
      await service.people.resetPassword({ token: input.token, password: input.password }, originOf(req));
      res.status(204).end();
    });

    router.get("/v1/me", signedIn, async (_req, res) => {
      const principal = principalOf(res);
      if (principal.kind !== "user") {
        res.json({
          kind: principal.kind,
          api_key_id: principal.subject,
          account_id: principal.accountId,
          permissions: principal.permissions,
        });
        return;
      }
      const user = await service.db.user.findUniqueOrThrow({ where: { id: principal.subject } });
      const accounts = await accessesOfPerson(service.db, user.id, true);
      res.json({
        kind: "user",
        user_id: user.id,
        email: user.email,
        email_verified: user.emailVerifiedAt !== null,
        given_name: user.givenName,
        family_name: user.familyName,
        account_id: principal.accountId,
        role: principal.role,
        permissions: principal.permissions,
        accounts: accounts.map((a) => ({ account_id: a.accountId, role: a.role })),
      });
    });
  };
}
