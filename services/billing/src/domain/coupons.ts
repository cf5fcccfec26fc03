import { InvalidInputError } from "@platform/errors";
import catalog from "../../catalog/coupons.json";
import { assertValidDiscount, type Discount } from "./discounts";

/**
 * Coupons are the operator's offers (Stripe's coupons, Lago's coupons): versioned data in the repository
 * (catalog/coupons.json), reviewed like the plan catalog, and those the operator defines over HTTP with
 * its credential (src/app/coupons.ts, CouponDefined). An organization redeems one by id; what it applies is the coupon's terms as a
 * Discount whose id is the coupon's (so one coupon is applied at most once per subscription).
 */
export interface Coupon extends Discount {
  name: string;
}

export interface CouponCatalog {
  catalog_version: number;
  coupons: {
    coupon_id: string;
    name: string;
    kind: string;
    percent_off?: string;
    amount_off_cents?: number;
    duration: string;
    duration_in_periods?: number;
    valid_from: string;
    valid_until: string | null;
  }[];
}

const COUPON_ID = /^[A-Z0-9_]{3,40}$/;
const KINDS = ["percent", "amount"] as const;
const DURATIONS = ["once", "repeating", "forever"] as const;

type CouponEntry = CouponCatalog["coupons"][number];

/** One coupon's terms, checked by domain/discounts.ts's rules; the problems found, each named by the coupon's id. */
function checked(entry: CouponEntry, problems: string[]): Coupon | null {
  const id = entry.coupon_id;
  if (!COUPON_ID.test(id)) problems.push(`${id}: a coupon id is 3 to 40 capitals, digits or _`);
  const kind = KINDS.find((k) => k === entry.kind);
  const duration = DURATIONS.find((d) => d === entry.duration);
  const validFrom = new Date(entry.valid_from);
  const validUntil = entry.valid_until === null ? null : new Date(entry.valid_until);
  if (!kind) problems.push(`${id}: kind must be percent or amount`);
  if (!duration) problems.push(`${id}: duration must be once, repeating or forever`);
  if (Number.isNaN(validFrom.getTime()) || (validUntil && Number.isNaN(validUntil.getTime())))
    problems.push(`${id}: valid_from and valid_until must be ISO times`);
  if (!kind || !duration) return null;
  try {
    const discount = assertValidDiscount({
      discount_id: id,
      kind,
      percent_off: entry.percent_off,
      amount_off_cents: entry.amount_off_cents,
      duration,
      duration_in_periods: entry.duration_in_periods,
      valid_from: validFrom,
      valid_until: validUntil,
    });
    return { ...discount, name: entry.name };
  } catch (error) {
    const details = (error as InvalidInputError).details as { problems?: string[] } | undefined;
    for (const problem of details?.problems ?? [(error as Error).message]) problems.push(`${id}: ${problem}`);
    return null;
  }
}

const refused = (what: string, problems: string[]) =>
  new InvalidInputError("discount_invalid", `${what}: ${problems.join("; ")}`, { details: { problems } });

/** One coupon (the operator's, over HTTP): 400 `discount_invalid` naming every problem. */
export function couponOf(entry: CouponEntry): Coupon {
  const problems: string[] = [];
  const coupon = checked(entry, problems);
  if (!coupon || problems.length > 0) throw refused("coupon", problems);
  return coupon;
}

/**
 * The catalog's coupons, each checked by domain/discounts.ts's rules; throws `discount_invalid` naming
 * every problem, so a negative, oversized or endless-window mistake never ships (test/domain/discounts-on-subscriptions.test.ts).
 */
export function couponsOf(source: CouponCatalog): Map<string, Coupon> {
  const coupons = new Map<string, Coupon>();
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const entry of source.coupons) {
    if (seen.has(entry.coupon_id)) problems.push(`${entry.coupon_id} is listed twice`);
    seen.add(entry.coupon_id);
    const coupon = checked(entry, problems);
    if (coupon) coupons.set(coupon.discount_id, coupon);
  }
  if (problems.length > 0) throw refused("coupon catalog", problems);
  return coupons;
}

/** Every coupon in the repository's catalog (catalog/coupons.json), checked at load. */
export const CATALOG_COUPONS = couponsOf(catalog as CouponCatalog);
