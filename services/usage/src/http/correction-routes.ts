import { InvalidInputError } from "@platform/errors";
import { param, routeGuards, who } from "@platform/http";
import type { Request, RequestHandler, Response, Router } from "express";
import { UsageCorrections } from "../app/corrections";
import { readAmendedQuantity, type UsageCorrection } from "../domain/corrections";
import type { UsageService } from "../service";
import { USAGE_WRITE } from "./permissions";

/**
 * Amending (PUT) or voiding (POST …/void) a counted event by its idempotency key, while its period is
 * open. They produce to usage.ingest like ingestion, so they share its per-organization rate limit.
 */
export function usageCorrectionRoutes(service: UsageService, ingestLimit: RequestHandler) {
  const { inAccount } = routeGuards(service);
  const corrections = new UsageCorrections(service.db, service.reports);
  const path = "/v1/organizations/:accountId/usage/events/:key";

  const answer = async (req: Request, res: Response, action: UsageCorrection, quantity: number) => {
    const result = await corrections.correct(
      param(req, "accountId"),
      param(req, "key"),
      action,
      quantity,
      who(req, res),
    );
    res.status(202).json({
      idempotency_key: result.idempotencyKey,
      action: result.action.toLowerCase(),
      metric: result.metric,
      quantity: result.quantity,
    });
  };

  return (router: Router) => {
    router.put(path, ...inAccount(USAGE_WRITE), ingestLimit, async (req, res) => {
      const read = readAmendedQuantity(req.body);
      if ("code" in read) throw new InvalidInputError(read.code, `quantity: ${read.message}`);
      await answer(req, res, "AMEND", read.quantity);
    });
    router.post(`${path}/void`, ...inAccount(USAGE_WRITE), ingestLimit, async (req, res) => {
      await answer(req, res, "VOID", 0);
    });
  };
}
