import type { Cents } from "./money";
import type { Metric } from "./plans";

/** One line of an invoice, as InvoiceIssued carries it. */
export interface InvoiceLine {
  kind: "base" | "overage" | "proration" | "discount" | "adjustment";
  description: string;
  metric: Metric | null;
  quantity: number;
  /** Decimal string in the major unit. */
  unit_price: string;
  /** Negative for credits and discounts. */
  amount_cents: Cents;
  period_start: Date;
  period_end: Date;
}

export const sumOf = (lines: readonly Pick<InvoiceLine, "amount_cents">[]): Cents =>
  lines.reduce((total, line) => total + line.amount_cents, 0);
