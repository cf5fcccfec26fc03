import Big from "big.js";
import { amountOf, type Cents, isUnitPrice } from "./money";

/**
 * How usage beyond a plan's included amount is charged, after Lago's charge models. Only the units
 * over the limit reach a charge: the included units are the plan's limit.
 *
 * - package: a price per started package of N units ($5 per 1,000 API calls: 1,001 calls over the
 *   limit are two packages), Lago's "package" model.
 * - graduated: tiers, each unit priced by the tier it falls in (the first 100 GB over at $0.50, the
 *   rest at $0.25), plus an optional flat fee for entering a tier; Lago's "graduated" model.
 */
export type Charge =
  | { model: "package"; package_size: number; package_price: string }
  | { model: "graduated"; tiers: readonly GraduatedTier[] };

export interface GraduatedTier {
  /** Units from the end of the previous tier (0 for the first) up to this many; null for the last, open tier. */
  up_to: number | null;
  unit_price: string;
  flat_fee?: string;
}

export interface ChargeResult {
  amount: Cents;
  /** What the invoice line shows as quantity and unit price. */
  quantity: number;
  unitPrice: string;
  description: string;
}

export function chargeFor(charge: Charge, unitsOver: number): ChargeResult {
  if (!Number.isSafeInteger(unitsOver) || unitsOver < 0)
    throw new RangeError(`units over the limit: ${unitsOver}`);
  if (charge.model === "package") {
    const packages = Math.ceil(unitsOver / charge.package_size);
    return {
      amount: amountOf(packages, charge.package_price),
      quantity: packages,
      unitPrice: charge.package_price,
      description: `${packages} × ${charge.package_size.toLocaleString("en-US")} units`,
    };
  }
  let remaining = unitsOver;
  let floor = 0;
  let total = new Big(0);
  const parts: string[] = [];
  for (const tier of charge.tiers) {
    if (remaining <= 0) break;
    const size = tier.up_to === null ? remaining : Math.min(remaining, tier.up_to - floor);
    if (size > 0) {
      total = total.plus(new Big(tier.unit_price).times(size)).plus(tier.flat_fee ?? "0");
      parts.push(`${size} at ${tier.unit_price}`);
      remaining -= size;
    }
    if (tier.up_to !== null) floor = tier.up_to;
  }
  const amount = amountOf(1, total.toString());
  return {
    amount,
    quantity: unitsOver,
    // The line's unit price is the blended one; the description keeps each tier's share.
    unitPrice: unitsOver === 0 ? "0" : total.div(unitsOver).round(6, Big.roundHalfUp).toString(),
    description: parts.join(", ") || "no units",
  };
}

/** Refuses a charge that cannot price every quantity: tiers out of order, a closed last tier, bad prices. */
export function chargeProblems(charge: Charge): string[] {
  const problems: string[] = [];
  const price = (value: string, where: string) => {
    if (!isUnitPrice(value)) problems.push(`${where}: "${value}" is not a unit price`);
  };
  if (charge.model === "package") {
    if (!Number.isSafeInteger(charge.package_size) || charge.package_size < 1)
      problems.push("package_size must be a whole number ≥ 1");
    price(charge.package_price, "package_price");
    return problems;
  }
  if (charge.tiers.length === 0) problems.push("a graduated charge needs at least one tier");
  let floor = 0;
  charge.tiers.forEach((tier, i) => {
    price(tier.unit_price, `tiers[${i}].unit_price`);
    if (tier.flat_fee !== undefined) price(tier.flat_fee, `tiers[${i}].flat_fee`);
    const last = i === charge.tiers.length - 1;
    if (tier.up_to === null && !last) problems.push(`tiers[${i}]: only the last tier may be open`);
    if (tier.up_to !== null && tier.up_to <= floor) problems.push(`tiers[${i}].up_to must exceed ${floor}`);
    if (last && tier.up_to !== null) problems.push("the last tier must be open (up_to null)");
    if (tier.up_to !== null) floor = tier.up_to;
  });
  return problems;
}
