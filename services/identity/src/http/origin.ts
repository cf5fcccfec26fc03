import type { Principal } from "@platform/auth";
import type { Request } from "express";
import type { RequestOrigin } from "../app/context";

/** The request's caller and address, as every event's `actor` records them. */
export function originOf(req: Request, principal?: Principal | null): RequestOrigin {
  return {
    actor: {
      type: principal?.kind ?? "user",
      id: principal?.subject ?? null,
      ip_address: req.ip ?? null,
      user_agent: req.get("user-agent")?.slice(0, 512) ?? null,
    },
  };
}
