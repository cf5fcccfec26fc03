import { BillingEvent } from "@platform/contracts";
import { ConflictError, NotFoundError } from "@platform/errors";
import type { AppliedDiscount, Discount } from "./discounts";
import { stillApplies } from "./discounts";
import type { SubscriptionEvent, SubscriptionHistoryEvent, SubscriptionState } from "./subscriptions";

/**
 * Discounts on a subscription (Stripe's discounts on a subscription, Lago's applied coupons): applied,
 * removed and redeemed as events of the subscription aggregate, kept in its state (`discounts`, the
 * AppliedDiscount[] that domain/invoices.ts composeInvoice stacks, in the order applied).
 */
export type DiscountCommand =
  | { kind: "apply_discount"; discount: Discount }
  | { kind: "remove_discount"; discountId: string; reason: string | null }
  /** Invoicing's seam: the discounts an invoice used (InvoiceDraft.discounts_used), one more invoice each. */
  | { kind: "redeem_discounts"; invoiceId: string | null; discountIds: readonly string[] };

/** Stripe allows 20 discounts on a subscription; five is plenty for a catalog of coupons. */
export const MAX_DISCOUNTS = 5;

const T = BillingEvent;

export function decideDiscount(
  state: SubscriptionState,
  command: DiscountCommand,
  now: Date,
): SubscriptionEvent[] {
  switch (command.kind) {
    case "apply_discount": {
      const { discount } = command;
      if (state.status === "ended")
        throw new ConflictError("subscription_ended", "the subscription has ended; nothing is invoiced");
      if (now < discount.valid_from)
        throw new ConflictError(
          "coupon_not_yet_valid",
          `coupon ${discount.discount_id} is redeemable from ${discount.valid_from.toISOString()}`,
          { details: windowOf(discount) },
        );
      if (discount.valid_until && now >= discount.valid_until)
        throw new ConflictError(
          "coupon_expired",
          `coupon ${discount.discount_id} was redeemable until ${discount.valid_until.toISOString()}`,
          { details: windowOf(discount) },
        );
      if (state.discounts.some((applied) => applied.discount.discount_id === discount.discount_id))
        throw new ConflictError(
          "discount_already_applied",
          `coupon ${discount.discount_id} is already applied to the subscription`,
        );
      if (state.discounts.filter(stillApplies).length >= MAX_DISCOUNTS)
        throw new ConflictError(
          "too_many_discounts",
          `a subscription takes at most ${MAX_DISCOUNTS} discounts at once`,
        );
      return [
        {
          type: T.DiscountApplied,
          data: {
            subscription_id: state.id,
            discount_id: discount.discount_id,
            kind: discount.kind,
            percent_off: discount.kind === "percent" ? (discount.percent_off ?? null) : null,
            amount_off_cents: discount.kind === "amount" ? (discount.amount_off_cents ?? null) : null,
            duration: discount.duration,
            duration_in_periods:
              discount.duration === "repeating" ? (discount.duration_in_periods ?? null) : null,
            valid_from: discount.valid_from.getTime(),
            valid_until: discount.valid_until?.getTime() ?? null,
          },
        },
      ];
    }
    case "remove_discount": {
      if (!state.discounts.some((applied) => applied.discount.discount_id === command.discountId))
        throw new NotFoundError(
          "discount_not_found",
          `no discount ${command.discountId} on the subscription`,
        );
      return [
        {
          type: T.DiscountRemoved,
          data: { subscription_id: state.id, discount_id: command.discountId, reason: command.reason },
        },
      ];
    }
    case "redeem_discounts": {
      // Only what still applies is redeemed: a repeated or stale list never counts an invoice twice past the end.
      const used = new Set(command.discountIds);
      return state.discounts
        .filter((applied) => used.has(applied.discount.discount_id) && stillApplies(applied))
        .map((applied) => ({
          type: T.DiscountRedeemed,
          data: {
            subscription_id: state.id,
            discount_id: applied.discount.discount_id,
            invoice_id: command.invoiceId,
            invoices_discounted: applied.invoices_discounted + 1,
          },
        }));
    }
  }
}

const windowOf = (discount: Discount) => ({
  valid_from: discount.valid_from.toISOString(),
  valid_until: discount.valid_until?.toISOString() ?? null,
});

type DiscountEvent = Extract<
  SubscriptionHistoryEvent,
  { type: (typeof T)["DiscountApplied"] | (typeof T)["DiscountRemoved"] | (typeof T)["DiscountRedeemed"] }
>;

/** The subscription's discounts after a discount event (times from the event). */
export function evolveDiscounts(
  discounts: readonly AppliedDiscount[],
  event: DiscountEvent,
): AppliedDiscount[] {
  switch (event.type) {
    case T.DiscountApplied: {
      const { data } = event;
      const discount: Discount = {
        discount_id: data.discount_id,
        kind: data.kind === "amount" ? "amount" : "percent",
        duration: data.duration as Discount["duration"],
        valid_from: new Date(data.valid_from),
        valid_until: data.valid_until === null ? null : new Date(data.valid_until),
      };
      if (data.percent_off !== null) discount.percent_off = data.percent_off;
      if (data.amount_off_cents !== null) discount.amount_off_cents = data.amount_off_cents;
      if (data.duration_in_periods !== null) discount.duration_in_periods = data.duration_in_periods;
      return [...discounts, { discount, applied_at: event.occurredAt, invoices_discounted: 0 }];
    }
    case T.DiscountRemoved:
      return discounts.filter((applied) => applied.discount.discount_id !== event.data.discount_id);
    case T.DiscountRedeemed:
      return discounts.map((applied) =>
        applied.discount.discount_id === event.data.discount_id
          ? { ...applied, invoices_discounted: event.data.invoices_discounted }
          : applied,
      );
  }
}

/** The seam invoicing composes with: the discounts in the order applied (composeInvoice skips spent ones). */
export const discountsOf = (state: Pick<SubscriptionState, "discounts">): readonly AppliedDiscount[] =>
  state.discounts;

/** AppliedDiscount[] as the `subscriptions.discounts` JSON column holds it (times as ISO strings). */
export function discountsAsJson(discounts: readonly AppliedDiscount[]) {
  return discounts.map((applied) => ({
    discount: {
      ...applied.discount,
      valid_from: applied.discount.valid_from.toISOString(),
      valid_until: applied.discount.valid_until?.toISOString() ?? null,
    },
    applied_at: applied.applied_at.toISOString(),
    invoices_discounted: applied.invoices_discounted,
    redeemed_in_period: applied.redeemed_in_period?.toISOString() ?? null,
  }));
}

export function discountsOfJson(json: unknown): AppliedDiscount[] {
  return (json as ReturnType<typeof discountsAsJson>).map((applied) => ({
    discount: {
      ...applied.discount,
      valid_from: new Date(applied.discount.valid_from),
      valid_until: applied.discount.valid_until === null ? null : new Date(applied.discount.valid_until),
    },
    applied_at: new Date(applied.applied_at),
    invoices_discounted: applied.invoices_discounted,
    redeemed_in_period: applied.redeemed_in_period ? new Date(applied.redeemed_in_period) : null,
  }));
}
