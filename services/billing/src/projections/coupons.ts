import type { InlineHandlers } from "@platform/event-sourcing";
import type { Tx } from "../app/tenant";
import { BillingEvent, type BillingPayloads } from "../domain/events";

/** `coupons`' inline projection (times from the event); platform-level, so no tenant to enter. */
export const couponHandlers: InlineHandlers<Tx, BillingPayloads> = {
  [BillingEvent.CouponDefined]: async (tx, event) => {
    const { data } = event;
    await tx.coupon.create({
      data: {
        id: data.coupon_id,
        name: data.name,
        kind: data.kind,
        percentOff: data.percent_off,
        amountOffCents: data.amount_off_cents,
        duration: data.duration,
        durationInPeriods: data.duration_in_periods,
        validFrom: new Date(data.valid_from),
        validUntil: data.valid_until === null ? null : new Date(data.valid_until),
        definedAt: event.occurredAt,
      },
    });
  },
};
