import Big from "big.js";

/**
 * Money is an integer count of the currency's minor unit (cents for USD), never a float. Unit prices
 * may be finer than a cent ("0.001" per API call), so they are decimal strings in the major unit, as
 * the billing events carry them, and are multiplied with big.js; a line's amount is rounded to the
 * minor unit once, half up (what Stripe and Lago do per line), so lines add up exactly to the total.
 */
export type Cents = number;

/** Minor units per major unit; every currency the catalog uses has two decimals. */
const MINOR_PER_MAJOR = 100;

export function assertCents(value: number, what: string): Cents {
  if (!Number.isSafeInteger(value))
    throw new RangeError(`${what} must be a whole number of cents, got ${value}`);
  return value;
}

/** quantity × unit price (a decimal string in the major unit), rounded half up to the minor unit. */
export function amountOf(quantity: number, unitPrice: string): Cents {
  const cents = new Big(unitPrice).times(quantity).times(MINOR_PER_MAJOR).round(0, Big.roundHalfUp);
  return cents.toNumber();
}

/** A share of an amount (numerator/denominator, e.g. unused seconds of a period), rounded half up. */
export function shareOf(amount: Cents, numerator: number, denominator: number): Cents {
  if (denominator <= 0) throw new RangeError("a share needs a positive denominator");
  return new Big(amount).times(numerator).div(denominator).round(0, Big.roundHalfUp).toNumber();
}

/** A unit price in cents as the events' decimal string in the major unit ("49.00"). */
export function centsAsUnitPrice(cents: Cents): string {
  return new Big(cents).div(MINOR_PER_MAJOR).toFixed(2);
}

/** A valid decimal unit price (non-negative, at most 6 decimals: finer than any meter needs). */
export function isUnitPrice(value: string): boolean {
  return /^\d{1,9}(\.\d{1,6})?$/.test(value);
}
