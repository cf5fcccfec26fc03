import { param, parseBody, routeGuards, who } from "@platform/http";
import type { Router } from "express";
import type { BillingService } from "../service";
import { creditNoteBody, payInvoiceBody } from "./invoice.validators";
import { creditNoteJson, invoiceJson, invoiceSummaryJson } from "./invoice-serializers";
import { BILLING_MANAGE, BILLING_READ } from "./permissions";

/** Invoices, their payment and their credit notes (docs/billing.md, API). */
export function invoiceRoutes(service: BillingService) {
  const { inAccount } = routeGuards(service);
  const { invoices } = service;
  const base = "/v1/organizations/:accountId/invoices";
  type Req = Parameters<Parameters<Router["get"]>[1]>[0];
  const account = (req: Req) => param(req, "accountId");
  const invoice = (req: Req) => param(req, "invoiceId");

  return (router: Router) => {
    router.get(base, ...inAccount(BILLING_READ), async (req, res) => {
      res.json({ data: (await invoices.list(account(req))).map(invoiceSummaryJson) });
    });
    router.get(`${base}/:invoiceId`, ...inAccount(BILLING_READ), async (req, res) => {
      res.json(invoiceJson(await invoices.get(account(req), invoice(req))));
    });
    router.post(`${base}/:invoiceId/pay`, ...inAccount(BILLING_MANAGE), async (req, res) => {
      const body = parseBody(payInvoiceBody, req.body ?? {});
      const paid = await invoices.pay(
        account(req),
        invoice(req),
        body.payment_method_id ?? null,
        who(req, res),
        // On a test clock, at the clock's time (docs/billing.md, Test clocks).
        await service.subscriptions.timeFor(account(req)),
      );
      res.json(invoiceJson(paid));
    });
    router.post(`${base}/:invoiceId/credit-notes`, ...inAccount(BILLING_MANAGE), async (req, res) => {
      const body = parseBody(creditNoteBody, req.body);
      const note = await invoices.creditNote(
        account(req),
        invoice(req),
        { amountCents: body.amount_cents, reason: body.reason, refund: body.refund ?? false },
        who(req, res),
        await service.subscriptions.timeFor(account(req)),
        // A retry of a request that died after the note was committed completes that note's refund.
        req.get("Idempotency-Key") ?? null,
      );
      res.status(201).json(creditNoteJson(note));
    });
  };
}
