import Big from "big.js";
import type { Cents } from "./money";

/**
 * An invoice as a reader sees it: everything the HTML page and the PDF show, already decided (amounts
 * in minor units, dates as instants), so both renderers are pure functions of one value and show the
 * same thing. Built from the invoice row and the organization's profile (tenancy's events, projected
 * into organization_profiles); the renderers never read anything else.
 */
export interface InvoiceDocument {
  invoiceId: string;
  /** null while the invoice is a draft: numbers are assigned at finalization. */
  number: string | null;
  /** draft, open, paid, void or uncollectible. */
  status: string;
  /** ISO 4217 code; amounts are in its minor unit. */
  currency: string;
  /** BCP 47 tag the amounts and labels are formatted for (the organization's language). */
  locale: string;
  /** IANA time zone the dates are shown in (the organization's). */
  timeZone: string;
  issuedAt: Date | null;
  dueAt: Date | null;
  periodStart: Date;
  periodEnd: Date;
  issuer: Party;
  customer: Party;
  lines: DocumentLine[];
  subtotalCents: Cents;
  discountCents: Cents;
  totalCents: Cents;
  /** What credit notes took off the invoice after it was issued (shown when not zero). */
  creditedCents: Cents;
  amountPaidCents: Cents;
  amountDueCents: Cents;
  /** A credit beyond the charges, carried to the customer's balance (shown when not zero). */
  creditCarriedCents: Cents;
  /** The customer's balance applied to it at finalization (shown when not zero). */
  appliedBalanceCents: Cents;
}

/** Who issues or receives the invoice, as printed. */
export interface Party {
  name: string;
  /** The postal address, one printed line each (empty lines already left out). */
  address: string[];
  email: string | null;
  telephone: string | null;
  url: string | null;
}

export interface DocumentLine {
  description: string;
  /** The period the line bills; null when the invoice's period is meant. */
  periodStart: Date | null;
  periodEnd: Date | null;
  quantity: number;
  /** Decimal string in the major unit (may be finer than the minor unit: "0.005" per API call). */
  unitPrice: string;
  /** Negative for credits and discounts. */
  amountCents: Cents;
}

/** A postal address as tenancy's events carry it (PostalAddress), every part optional. */
export interface PostalAddress {
  street_address: string | null;
  locality: string | null;
  region: string | null;
  postal_code: string | null;
  country: string | null;
}

/** The address as printed: street, then "postal code locality", then region, then country. */
export function addressLines(address: PostalAddress | null): string[] {
  if (!address) return [];
  const city = [address.postal_code, address.locality].filter(Boolean).join(" ");
  return [address.street_address, city, address.region, address.country].filter(
    (line): line is string => typeof line === "string" && line.trim() !== "",
  );
}

/** Fraction digits of a currency's minor unit (2 for USD and EUR, 0 for JPY), from ICU's data. */
export function minorDigitsOf(currency: string): number {
  return new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions()
    .maximumFractionDigits as number;
}

/** A locale Intl knows, else en-US: a tag from an event must not break a page. */
function safeLocale(locale: string): string {
  try {
    return Intl.getCanonicalLocales(locale)[0] ?? "en-US";
  } catch {
    return "en-US";
  }
}

/**
 * An amount in minor units as the locale writes money ("$1,234.50", "1.234,50 €"). The integer is
 * turned into a decimal string by big.js and handed to Intl as a string, so no float ever holds it.
 */
export function formatMoney(cents: Cents, currency: string, locale: string): string {
  const digits = minorDigitsOf(currency);
  const major = new Big(cents).div(10 ** digits).toFixed(digits);
  return new Intl.NumberFormat(safeLocale(locale), { style: "currency", currency }).format(
    major as unknown as number, // Intl formats decimal strings exactly (ES2023); typed as number only
  );
}

/** A unit price (decimal string in the major unit) with as many decimals as it has, at least the currency's. */
export function formatUnitPrice(unitPrice: string, currency: string, locale: string): string {
  const digits = minorDigitsOf(currency);
  const decimals = unitPrice.split(".")[1]?.length ?? 0;
  return new Intl.NumberFormat(safeLocale(locale), {
    style: "currency",
    currency,
    minimumFractionDigits: digits,
    maximumFractionDigits: Math.max(digits, decimals),
  }).format(unitPrice as unknown as number);
}

export function formatQuantity(quantity: number, locale: string): string {
  return new Intl.NumberFormat(safeLocale(locale), { maximumFractionDigits: 6 }).format(quantity);
}

/** A date as YYYY-MM-DD in the organization's time zone (UTC when the zone is unknown). */
export function formatDate(at: Date, timeZone: string): string {
  const format = (zone: string) =>
    new Intl.DateTimeFormat("en-CA", {
      timeZone: zone,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
    }).format(at);
  try {
    return format(timeZone);
  } catch {
    return format("UTC");
  }
}

/** A billed period. Periods end exclusively (the next begins at this one's end), so the last day shown is the day before. */
export function formatPeriod(start: Date, end: Date, timeZone: string): string {
  const lastDay = new Date(Math.max(start.getTime(), end.getTime() - 1));
  return `${formatDate(start, timeZone)} – ${formatDate(lastDay, timeZone)}`;
}

/** The title a reader sees: the number once assigned, else that it is a draft. */
export function invoiceTitle(doc: Pick<InvoiceDocument, "number" | "invoiceId">): string {
  return doc.number ? `Invoice ${doc.number}` : `Draft invoice ${doc.invoiceId}`;
}

/** The totals block, in the order printed; a row whose amount is zero and optional is left out. */
export function totalRows(doc: InvoiceDocument): { label: string; cents: Cents; strong?: boolean }[] {
  const rows: { label: string; cents: Cents; strong?: boolean }[] = [
    { label: "Subtotal", cents: doc.subtotalCents },
  ];
  if (doc.discountCents !== 0) rows.push({ label: "Discounts", cents: -doc.discountCents });
  rows.push({ label: "Total", cents: doc.totalCents, strong: true });
  if (doc.creditCarriedCents !== 0)
    rows.push({ label: "Credit carried to your balance", cents: doc.creditCarriedCents });
  if (doc.appliedBalanceCents !== 0) rows.push({ label: "Applied balance", cents: -doc.appliedBalanceCents });
  if (doc.creditedCents !== 0) rows.push({ label: "Credit notes", cents: -doc.creditedCents });
  rows.push({ label: "Amount paid", cents: doc.amountPaidCents });
  rows.push({ label: "Amount due", cents: doc.amountDueCents, strong: true });
  return rows;
}

/** An organization's profile as billing projects it from tenancy's events (organization_profiles). */
export interface CustomerProfile {
  accountId: string;
  name: string;
  email: string | null;
  telephone: string | null;
  url: string | null;
  address: PostalAddress | null;
  timezone: string;
  language: string;
}

/** What the document needs of an invoice, whatever its row looks like (the route maps the row to it). */
export interface InvoiceFacts {
  invoiceId: string;
  number: string | null;
  status: string;
  currency: string;
  issuedAt: Date | null;
  dueAt: Date | null;
  periodStart: Date;
  periodEnd: Date;
  lines: readonly {
    description: string;
    quantity: number;
    unit_price: string;
    amount_cents: Cents;
    period_start: Date | null;
    period_end: Date | null;
  }[];
  subtotalCents: Cents;
  discountCents: Cents;
  totalCents: Cents;
  creditedCents: Cents;
  amountPaidCents: Cents;
  /** What is still owed, as the invoice aggregate decided it (total less payments and credit notes). */
  amountDueCents: Cents;
  creditCarriedCents: Cents;
  appliedBalanceCents: Cents;
}

/**
 * The document of an invoice for its organization. Without a profile (tenancy's events not read yet)
 * the organization's id stands for its name and the dates are UTC.
 */
export function invoiceDocumentOf(
  invoice: InvoiceFacts,
  customer: CustomerProfile | null,
  issuer: Party,
  accountId: string,
): InvoiceDocument {
  return {
    invoiceId: invoice.invoiceId,
    number: invoice.number,
    status: invoice.status,
    currency: invoice.currency,
    locale: customer?.language ?? "en-US",
    timeZone: customer?.timezone ?? "UTC",
    issuedAt: invoice.issuedAt,
    dueAt: invoice.dueAt,
    periodStart: invoice.periodStart,
    periodEnd: invoice.periodEnd,
    issuer,
    customer: customer
      ? {
          name: customer.name,
          address: addressLines(customer.address),
          email: customer.email,
          telephone: customer.telephone,
          url: customer.url,
        }
      : { name: accountId, address: [], email: null, telephone: null, url: null },
    lines: invoice.lines.map((line) => ({
      description: line.description,
      periodStart: line.period_start,
      periodEnd: line.period_end,
      quantity: line.quantity,
      unitPrice: line.unit_price,
      amountCents: line.amount_cents,
    })),
    subtotalCents: invoice.subtotalCents,
    discountCents: invoice.discountCents,
    totalCents: invoice.totalCents,
    creditedCents: invoice.creditedCents,
    amountPaidCents: invoice.amountPaidCents,
    amountDueCents: invoice.amountDueCents,
    creditCarriedCents: invoice.creditCarriedCents,
    appliedBalanceCents: invoice.appliedBalanceCents,
  };
}
