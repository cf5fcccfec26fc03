import { BillingEvent } from "@platform/contracts";
import { ConcurrencyConflictError, ConflictError } from "@platform/errors";
import type { Clock, EventStore } from "@platform/event-sourcing";
import { CATALOG_COUPONS, type Coupon, type CouponCatalog, couponOf } from "../domain/coupons";
import type { Discount } from "../domain/discounts";
import { type Actor, SYSTEM_ACTOR } from "../domain/events";
import type { Coupon as CouponRow } from "../generated/prisma/client";
import type { Db, Tx } from "./tenant";

/**
 * Every coupon an organization may redeem: the repository's (catalog/coupons.json) and the ones the
 * platform operator defined over HTTP (`CouponDefined`, one aggregate per coupon, `coupons` its inline
 * projection). A coupon is defined once and never edited (a changed offer is a new coupon), so what an
 * organization applied stays what the operator offered.
 */
export class CouponService {
  constructor(
    private readonly db: Db,
    private readonly store: EventStore<Tx>,
    private readonly clock: Clock,
    private readonly catalog: ReadonlyMap<string, Coupon> = CATALOG_COUPONS,
  ) {}

  async find(couponId: string): Promise<Coupon | null> {
    const built = this.catalog.get(couponId);
    if (built) return built;
    const row = await this.db.coupon.findUnique({ where: { id: couponId } });
    return row ? couponOfRow(row) : null;
  }

  async list(): Promise<Coupon[]> {
    const rows = await this.db.coupon.findMany({ orderBy: { definedAt: "asc" } });
    return [...this.catalog.values(), ...rows.map(couponOfRow)];
  }

  /** The operator's new coupon: 400 `discount_invalid` for bad terms, 409 `coupon_exists` for a taken id. */
  async define(entry: CouponCatalog["coupons"][number], actor: Actor = SYSTEM_ACTOR): Promise<Coupon> {
    const coupon = couponOf(entry);
    const taken = () => new ConflictError("coupon_exists", `there is a coupon ${coupon.discount_id} already`);
    if (this.catalog.has(coupon.discount_id)) throw taken();
    const now = this.clock.now();
    try {
      await this.db.$transaction((tx) =>
        this.store.append(tx, {
          aggregate: { type: "coupon", id: aggregateIdOf(coupon.discount_id), tenantId: null },
          // A coupon is defined once: a second definition of the id loses on the log's version.
          expectedVersion: 0,
          events: [
            {
              type: BillingEvent.CouponDefined,
              data: { ...payloadOf(coupon), occurred_at: now.getTime(), actor },
            },
          ],
          metadata: { actor: actor.id ?? actor.type },
        }),
      );
    } catch (error) {
      if (error instanceof ConcurrencyConflictError) throw taken();
      throw error;
    }
    return coupon;
  }
}

const aggregateIdOf = (couponId: string) => `coupon:${couponId}`;

function payloadOf(coupon: Coupon) {
  return {
    coupon_id: coupon.discount_id,
    name: coupon.name,
    kind: coupon.kind,
    percent_off: coupon.kind === "percent" ? (coupon.percent_off ?? null) : null,
    amount_off_cents: coupon.kind === "amount" ? (coupon.amount_off_cents ?? null) : null,
    duration: coupon.duration,
    duration_in_periods: coupon.duration === "repeating" ? (coupon.duration_in_periods ?? null) : null,
    valid_from: coupon.valid_from.getTime(),
    valid_until: coupon.valid_until?.getTime() ?? null,
  };
}

function couponOfRow(row: CouponRow): Coupon {
  const coupon: Coupon = {
    discount_id: row.id,
    name: row.name,
    kind: row.kind as Discount["kind"],
    duration: row.duration as Discount["duration"],
    valid_from: row.validFrom,
    valid_until: row.validUntil,
  };
  if (row.percentOff !== null) coupon.percent_off = row.percentOff;
  if (row.amountOffCents !== null) coupon.amount_off_cents = row.amountOffCents;
  if (row.durationInPeriods !== null) coupon.duration_in_periods = row.durationInPeriods;
  return coupon;
}
