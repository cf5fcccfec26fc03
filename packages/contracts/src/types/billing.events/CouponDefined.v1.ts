// Generated from billing.events-platform.billing.CouponDefined v1 by `platform-contracts types`; do not edit.

import type { Actor } from "../shared";

export type { Actor };

/** The platform operator defined a coupon (Stripe's coupons): organizations may apply it to their subscription while its redemption window is open. Platform-level: no account. */
export interface CouponDefined {
  /** The coupon's id, what an organization redeems: 3 to 40 capitals, digits or _ (e.g. "SPRING25"). */
  coupon_id: string;
  /** What the operator calls it. */
  name: string;
  /** "percent" (percent_off) or "amount" (amount_off_cents). */
  kind: string;
  /** For "percent": the share taken off each invoice it applies to, a decimal string, more than 0 and at most 100 (e.g. "20", "12.5"); null for "amount". */
  percent_off: null | string;
  /** For "amount": cents taken off each invoice it applies to (never more than what the invoice still owes); null for "percent". */
  amount_off_cents: null | number;
  /** How long it lasts: "once" (the next invoice), "repeating" (duration_in_periods invoices) or "forever". */
  duration: string;
  /** For "repeating": how many invoices it reduces (1 to 120); null otherwise. */
  duration_in_periods: null | number;
  /** The coupon's redemption window opens: it may be applied from then. */
  valid_from: number;
  /** The coupon's redemption window closes (exclusive); null for no end. */
  valid_until: null | number;
  /** When the event happened (UTC, ms since epoch). */
  occurred_at: number;
  /** Who caused the event. */
  actor: Actor;
}
