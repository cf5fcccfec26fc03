import { UTCDate } from "@date-fns/utc";
import { addMonths } from "date-fns";
import type { Interval } from "./plans";

export interface Period {
  start: Date;
  end: Date;
}

const MONTHS: Record<Interval, number> = { month: 1, year: 12 };

/**
 * The n-th billing period (0 = the first) of a subscription anchored at `anchor`, in UTC. Periods are
 * counted from the anchor, not chained, so an anchor on the 31st bills on the 30th, 28th/29th and 31st
 * of the following months and never drifts (Stripe's billing-cycle anchor works this way).
 */
export function periodAt(anchor: Date, interval: Interval, index: number): Period {
  const months = MONTHS[interval];
  return {
    start: new Date(addMonths(new UTCDate(anchor.getTime()), index * months).getTime()),
    end: new Date(addMonths(new UTCDate(anchor.getTime()), (index + 1) * months).getTime()),
  };
}

/** The index of the period `at` falls in (start inclusive, end exclusive). */
export function periodIndexAt(anchor: Date, interval: Interval, at: Date): number {
  if (at < anchor) throw new RangeError("a moment before the anchor has no period");
  let index = Math.floor((at.getTime() - anchor.getTime()) / (MONTHS[interval] * 31 * 86_400_000));
  while (periodAt(anchor, interval, index + 1).start <= at) index += 1;
  return index;
}

export const addDays = (at: Date, days: number): Date => new Date(at.getTime() + days * 86_400_000);

/** Whole seconds from `from` to `to`: proration is to the second, as Stripe's is. */
export const secondsBetween = (from: Date, to: Date): number =>
  Math.max(0, Math.floor((to.getTime() - from.getTime()) / 1000));
