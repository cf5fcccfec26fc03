// Generated from billing.events-platform.billing.InvoiceNumberAssigned v1 by `platform-contracts types`; do not edit.

import type { Actor } from "../shared";

export type { Actor };

/** A number of an issuer's gapless series was given to a finalized document (an invoice or a credit note). The series is one aggregate per issuer, series and year; the event's version in it is the sequence, so a number is never given twice and none is skipped. */
export interface InvoiceNumberAssigned {
  /** The series' owner. */
  issuer: string;
  /** "INV" for invoices, "CN" for credit notes. */
  series: string;
  /** The calendar year (UTC) of the finalization. */
  year: number;
  /** The position in the series, from 1. */
  sequence: number;
  /** The number as printed, e.g. "INV-2026-000123". */
  number: string;
  /** The invoice or credit note numbered. */
  document_id: string;
  /** Tenant: the organization (account) the event belongs to. */
  account_id: string;
  /** When the event happened (UTC, ms since epoch). */
  occurred_at: number;
  /** Who caused the event. */
  actor: Actor;
}
