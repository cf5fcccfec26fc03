import { param, routeGuards } from "@platform/http";
import type { Response, Router } from "express";
import type { InvoiceDocuments } from "../app/invoice-documents";
import { invoiceTitle } from "../domain/invoice-document";
import { renderInvoiceHtml } from "../rendering/invoice-html";
import { renderInvoicePdf } from "../rendering/invoice-pdf";
import { BILLING_READ } from "./permissions";

/**
 * Nothing but the page's own inline style may load or run: the HTML escapes every value already, and
 * this makes a missed escape inert (no script, no form, no frame, no request anywhere).
 */
const HTML_POLICY =
  "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** An invoice's number (or id) as a file name: letters, digits, dash and dot only. */
const fileName = (name: string) => name.replace(/[^A-Za-z0-9.-]/g, "_");

function documentHeaders(res: Response): void {
  // An invoice is an organization's data: no shared cache keeps it, and a draft changes.
  res.set("Cache-Control", "private, no-store");
  res.set("X-Content-Type-Options", "nosniff");
  res.set("Referrer-Policy", "no-referrer");
}

/**
 * An invoice as a document, beside its JSON (`GET .../invoices/{invoiceId}`): `/html` the page,
 * `/pdf` the PDF. Same guard as the JSON (billing.read in the token's own organization); another
 * organization's invoice is 404, as in the JSON route.
 */
export function invoiceDocumentRoutes(
  service: Parameters<typeof routeGuards>[0] & { invoiceDocuments: InvoiceDocuments },
) {
  const { inAccount } = routeGuards(service);
  const base = "/v1/organizations/:accountId/invoices/:invoiceId";
  type Req = Parameters<Parameters<Router["get"]>[1]>[0];
  const documentOf = (req: Req) =>
    service.invoiceDocuments.get(param(req, "accountId"), param(req, "invoiceId"));

  return (router: Router) => {
    router.get(`${base}/html`, ...inAccount(BILLING_READ), async (req, res) => {
      const html = renderInvoiceHtml(await documentOf(req));
      documentHeaders(res);
      res.set("Content-Security-Policy", HTML_POLICY).type("html").send(html);
    });
    router.get(`${base}/pdf`, ...inAccount(BILLING_READ), async (req, res) => {
      const document = await documentOf(req);
      const pdf = await renderInvoicePdf(document);
      documentHeaders(res);
      res
        .type("application/pdf")
        .set(
          "Content-Disposition",
          `inline; filename="${fileName(document.number ?? invoiceTitle(document))}.pdf"`,
        )
        .send(pdf);
    });
  };
}
