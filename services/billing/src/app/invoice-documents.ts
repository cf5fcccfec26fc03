import type { InvoiceDocument, Party } from "../domain/invoice-document";
import { invoiceDocumentOf } from "../domain/invoice-document";
import type { OrganizationProfiles } from "./organization-profiles";

/** What a document needs of the invoice aggregate's rows (invoices and invoice_lines). */
export interface InvoiceRecord {
  invoice: {
    id: string;
    number: string | null;
    status: string;
    currency: string;
    issuedAt: Date | null;
    dueAt: Date | null;
    periodStart: Date;
    periodEnd: Date;
    subtotalCents: number;
    discountCents: number;
    totalCents: number;
    creditCarriedCents: number;
    appliedBalanceCents: number;
    creditedCents: number;
    paidCents: number;
    amountDueCents: number;
  };
  lines: readonly {
    description: string;
    quantity: number;
    unitPrice: string;
    amountCents: number;
    periodStart: Date | null;
    periodEnd: Date | null;
  }[];
}

/** Reads one invoice of one organization (404 `invoice_not_found` for another organization's). */
export interface InvoiceReader {
  get(accountId: string, invoiceId: string): Promise<InvoiceRecord>;
}

/** An invoice as a document (HTML, PDF): the invoice's rows and the organization's profile from tenancy. */
export class InvoiceDocuments {
  constructor(
    private readonly invoices: InvoiceReader,
    private readonly profiles: OrganizationProfiles,
    private readonly issuer: Party,
  ) {}

  async get(accountId: string, invoiceId: string): Promise<InvoiceDocument> {
    const { invoice, lines } = await this.invoices.get(accountId, invoiceId);
    const profile = await this.profiles.get(accountId);
    return invoiceDocumentOf(
      {
        invoiceId: invoice.id,
        number: invoice.number,
        status: invoice.status,
        currency: invoice.currency,
        issuedAt: invoice.issuedAt,
        dueAt: invoice.dueAt,
        periodStart: invoice.periodStart,
        periodEnd: invoice.periodEnd,
        lines: lines.map((line) => ({
          description: line.description,
          quantity: line.quantity,
          unit_price: line.unitPrice,
          amount_cents: line.amountCents,
          period_start: line.periodStart,
          period_end: line.periodEnd,
        })),
        subtotalCents: invoice.subtotalCents,
        discountCents: invoice.discountCents,
        totalCents: invoice.totalCents,
        creditedCents: invoice.creditedCents,
        amountPaidCents: invoice.paidCents,
        amountDueCents: invoice.amountDueCents,
        creditCarriedCents: invoice.creditCarriedCents,
        appliedBalanceCents: invoice.appliedBalanceCents,
      },
      profile,
      this.issuer,
      accountId,
    );
  }
}
