import type { UsageCorrection } from "@platform/contracts";

export type { UsageCorrection };

/**
 * What a voided event's row holds as its fingerprint: a retry of the voided event's own body is then a
 * repeat (nothing changes), and no late-event adjustment is ever made from it.
 */
export const VOIDED_FINGERPRINT = "void";

/** The stable codes of a refused correction (problem+json `code`). */
export const CorrectionErrorCodes = {
  notFound: "usage_event_not_found",
  voided: "usage_event_voided",
  invalidQuantity: "invalid_quantity",
  negativeQuantity: "negative_quantity",
  periodClosed: "period_closed",
} as const;

/** An amended quantity as the body gives it: a whole number ≥ 0, or the code it is refused with. */
export function readAmendedQuantity(body: unknown): { quantity: number } | { code: string; message: string } {
  const quantity = (body as { quantity?: unknown } | null)?.quantity;
  if (typeof quantity !== "number" || !Number.isSafeInteger(quantity))
    return { code: CorrectionErrorCodes.invalidQuantity, message: "quantity must be a whole number" };
  if (quantity < 0)
    return { code: CorrectionErrorCodes.negativeQuantity, message: "quantity must be 0 or more" };
  return { quantity };
}
