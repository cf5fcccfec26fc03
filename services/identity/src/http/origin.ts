import type { Principal } from "@platform/auth";
import { actorOf } from "@platform/http";
import type { Request } from "express";
import type { RequestOrigin } from "../app/context";

/** The request's caller and address, as every event's `actor` records them. */
export function originOf(req: Request, principal?: Principal | null): RequestOrigin {
  return { actor: actorOf(req, principal) };
}
