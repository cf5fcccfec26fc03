import type { PlanSnapshot } from "@platform/contracts";
import type { BillingReason, InvoiceState, InvoiceStatus } from "../domain/invoice-aggregate";
import type { InvoiceLine } from "../domain/lines";
import type { Invoice, InvoiceLineItem } from "../generated/prisma/client";
import { Prisma } from "../generated/prisma/client";

/** The invoice's state as its row holds it, and the row a state is written as (the inline projection's two sides). */
export function invoiceStateOfRow(row: Invoice): InvoiceState {
  return {
    ...row,
    status: row.status as InvoiceStatus,
    billingReason: row.billingReason as BillingReason,
    usagePlan: (row.usagePlan as unknown as PlanSnapshot | null) ?? null,
  };
}

export function invoiceRowOfState(state: InvoiceState): Prisma.InvoiceUncheckedCreateInput {
  return { ...state, usagePlan: state.usagePlan ? { ...state.usagePlan } : Prisma.DbNull };
}

export function lineOfRow(row: InvoiceLineItem): InvoiceLine {
  return {
    kind: row.kind as InvoiceLine["kind"],
    description: row.description,
    metric: row.metric as InvoiceLine["metric"],
    quantity: row.quantity,
    unit_price: row.unitPrice,
    amount_cents: row.amountCents,
    period_start: row.periodStart,
    period_end: row.periodEnd,
  };
}
