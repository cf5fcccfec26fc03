import { InvalidInputError } from "@platform/errors";
import type { Request, RequestHandler, Response } from "express";
import { HttpErrorCodes } from "./problem";

/** One field of one item of a batch that is not acceptable: `index` in the batch, `path` in the item. */
export interface BatchItemError {
  index: number;
  path: string;
  message: string;
  /** The stable code of the problem, when the service has one (e.g. `negative_quantity`). */
  code?: string;
}

export interface BatchIntakeOptions {
  /** The body property holding the array, e.g. `facts` for `{ "facts": [...] }`. */
  field: string;
  /** Most items in one request; a larger batch answers 400 `batch_too_large`. */
  maxItems: number;
  /** Every problem of the batch; empty when it may be accepted as a whole. */
  validate(items: readonly unknown[], req: Request, res: Response): BatchItemError[];
  /** Takes the batch over (produces it); the request answers 202 once this resolves. */
  accept(items: readonly Record<string, unknown>[], req: Request, res: Response): Promise<void>;
}

/**
 * The handler of an intake route for high-volume records (facts): the batch is accepted or refused
 * as a whole, so a client retries exactly what it sent. Authentication and permission guards are
 * mounted before it on the route, as on any route; it answers 202 `{ accepted: n }` once `accept`
 * has resolved (for facts: once the broker acknowledged them), and problem+json 400
 * `invalid_batch` naming each bad record by index and field otherwise.
 */
export function batchIntake(options: BatchIntakeOptions): RequestHandler {
  return async (req, res) => {
    const body = req.body as Record<string, unknown> | undefined;
    const items = body?.[options.field];
    if (!Array.isArray(items) || items.length === 0) {
      throw new InvalidInputError(HttpErrorCodes.invalidBatch, `${options.field} must be a non-empty array`, {
        details: { errors: [{ index: -1, path: options.field, message: "expected a non-empty array" }] },
      });
    }
    if (items.length > options.maxItems) {
      throw new InvalidInputError(
        HttpErrorCodes.batchTooLarge,
        `a batch holds at most ${options.maxItems} ${options.field}, got ${items.length}`,
        { details: { maxItems: options.maxItems } },
      );
    }
    const errors = items.flatMap((item, index): BatchItemError[] =>
      typeof item === "object" && item !== null && !Array.isArray(item)
        ? []
        : [{ index, path: "", message: "expected an object" }],
    );
    if (errors.length === 0) errors.push(...options.validate(items, req, res));
    if (errors.length > 0) {
      throw new InvalidInputError(
        HttpErrorCodes.invalidBatch,
        `${new Set(errors.map((error) => error.index)).size} of ${items.length} ${options.field} are invalid; none was accepted`,
        { details: { errors } },
      );
    }
    await options.accept(items as Record<string, unknown>[], req, res);
    res.status(202).json({ accepted: items.length });
  };
}
