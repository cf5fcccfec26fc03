import PDFDocument from "pdfkit";
import {
  formatDate,
  formatMoney,
  formatPeriod,
  formatQuantity,
  formatUnitPrice,
  type InvoiceDocument,
  invoiceTitle,
  type Party,
  totalRows,
} from "../domain/invoice-document";

/** CP1252's characters beyond Latin-1: with Latin-1 itself, what the standard fonts' WinAnsi encoding can show. */
const WIN_ANSI_EXTRAS = "€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ";

/**
 * Text the built-in Helvetica can show: a character outside WinAnsi (a Japanese or Cyrillic name) would
 * be printed as some other Latin character, so it becomes "?" instead — visibly missing, never wrong.
 * The HTML page shows every script; an embedded Unicode font would lift this (docs/billing.md).
 */
export function winAnsi(text: string): string {
  return [...text]
    .map((c) => {
      if (/[\u2000-\u200a\u202f]/.test(c)) return " "; // the thin and narrow spaces some locales group digits with
      if (c === "\u2212") return "-"; // the minus sign some locales write
      const code = c.codePointAt(0) ?? 0;
      const latin1 = (code >= 0x20 && code <= 0x7e) || (code >= 0xa0 && code <= 0xff);
      return latin1 || WIN_ANSI_EXTRAS.includes(c) ? c : "?";
    })
    .join("");
}

export interface PdfOptions {
  /** Deflate the content streams (the default); tests turn it off to read the text back. */
  compress?: boolean;
}

// A4 in points, with the margins every block is laid out against.
const PAGE = { width: 595.28, height: 841.89, margin: 50 };
const RIGHT = PAGE.width - PAGE.margin;
const COLUMNS = { description: PAGE.margin, quantity: 330, unitPrice: 390, amount: 480 };
const WIDTHS = { description: 270, quantity: 55, unitPrice: 85, amount: RIGHT - 480 };

/**
 * The invoice as a PDF (pdfkit, its built-in Helvetica: no font file to ship). The same document as
 * the HTML page, laid out on A4, lines continued on further pages when they do not fit. The creation
 * date is the invoice's issue date (or its period's start), so one invoice renders to the same bytes.
 */
export function renderInvoicePdf(doc: InvoiceDocument, options: PdfOptions = {}): Promise<Buffer> {
  const pdf = new PDFDocument({
    size: "A4",
    margin: PAGE.margin,
    compress: options.compress ?? true,
    info: {
      Title: invoiceTitle(doc),
      Author: doc.issuer.name,
      Subject: `Invoice for ${doc.customer.name}`,
      CreationDate: doc.issuedAt ?? doc.periodStart,
    },
  });
  const done = new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    pdf.on("data", (chunk: Buffer) => chunks.push(chunk));
    pdf.on("end", () => resolve(Buffer.concat(chunks)));
    pdf.on("error", reject);
  });
  const money = (cents: number) => formatMoney(cents, doc.currency, doc.locale);
  const date = (at: Date | null) => (at ? formatDate(at, doc.timeZone) : "—");

  pdf
    .font("Helvetica-Bold")
    .fontSize(20)
    .text(winAnsi(invoiceTitle(doc)), PAGE.margin, PAGE.margin);
  pdf
    .font("Helvetica")
    .fontSize(10)
    .text(winAnsi(doc.status.toUpperCase()), PAGE.margin, PAGE.margin + 6, {
      width: RIGHT - PAGE.margin,
      align: "right",
    });

  let y = PAGE.margin + 45;
  const partyBottom = Math.max(
    printParty(pdf, "FROM", doc.issuer, PAGE.margin, y),
    printParty(pdf, "BILL TO", doc.customer, 320, y),
  );
  y = partyBottom + 20;
  const facts: [string, string][] = [
    ["Invoice number", doc.number ?? "— (draft)"],
    ["Issued", date(doc.issuedAt)],
    ["Due", date(doc.dueAt)],
    ["Period", formatPeriod(doc.periodStart, doc.periodEnd, doc.timeZone)],
    ["Currency", doc.currency],
  ];
  for (const [label, value] of facts) {
    pdf.font("Helvetica").fillColor("#666666").text(winAnsi(label), PAGE.margin, y);
    pdf.fillColor("#000000").text(winAnsi(value), PAGE.margin + 100, y);
    y += 15;
  }

  y += 15;
  const header = (top: number) => {
    pdf.font("Helvetica-Bold").fontSize(9).fillColor("#666666");
    pdf.text("Description", COLUMNS.description, top, { width: WIDTHS.description });
    pdf.text("Quantity", COLUMNS.quantity, top, { width: WIDTHS.quantity, align: "right" });
    pdf.text("Unit price", COLUMNS.unitPrice, top, { width: WIDTHS.unitPrice, align: "right" });
    pdf.text("Amount", COLUMNS.amount, top, { width: WIDTHS.amount, align: "right" });
    pdf
      .moveTo(PAGE.margin, top + 13)
      .lineTo(RIGHT, top + 13)
      .strokeColor("#222222")
      .stroke();
    pdf.font("Helvetica").fontSize(10).fillColor("#000000");
    return top + 20;
  };
  y = header(y);
  for (const line of doc.lines) {
    const period =
      line.periodStart && line.periodEnd
        ? formatPeriod(line.periodStart, line.periodEnd, doc.timeZone)
        : null;
    const height =
      pdf.heightOfString(winAnsi(line.description), { width: WIDTHS.description }) + (period ? 13 : 0) + 8;
    if (y + height > PAGE.height - PAGE.margin) {
      pdf.addPage();
      y = header(PAGE.margin);
    }
    pdf.text(winAnsi(line.description), COLUMNS.description, y, { width: WIDTHS.description });
    if (period)
      pdf
        .fontSize(8)
        .fillColor("#666666")
        .text(winAnsi(period), COLUMNS.description, y + height - 8 - 11, { width: WIDTHS.description })
        .fontSize(10)
        .fillColor("#000000");
    pdf.text(winAnsi(formatQuantity(line.quantity, doc.locale)), COLUMNS.quantity, y, {
      width: WIDTHS.quantity,
      align: "right",
    });
    pdf.text(winAnsi(formatUnitPrice(line.unitPrice, doc.currency, doc.locale)), COLUMNS.unitPrice, y, {
      width: WIDTHS.unitPrice,
      align: "right",
    });
    pdf.text(winAnsi(money(line.amountCents)), COLUMNS.amount, y, { width: WIDTHS.amount, align: "right" });
    y += height;
    pdf
      .moveTo(PAGE.margin, y - 4)
      .lineTo(RIGHT, y - 4)
      .strokeColor("#dddddd")
      .stroke();
  }

  const rows = totalRows(doc);
  if (y + rows.length * 16 + 10 > PAGE.height - PAGE.margin) {
    pdf.addPage();
    y = PAGE.margin;
  }
  y += 10;
  for (const row of rows) {
    pdf.font(row.strong ? "Helvetica-Bold" : "Helvetica");
    pdf.text(winAnsi(row.label), COLUMNS.quantity - 60, y, { width: 200 });
    pdf.text(winAnsi(money(row.cents)), COLUMNS.amount, y, { width: WIDTHS.amount, align: "right" });
    y += 16;
  }
  pdf.end();
  return done;
}

/** One party's block; returns where it ends. */
function printParty(pdf: PDFKit.PDFDocument, role: string, who: Party, x: number, top: number): number {
  const width = 220;
  pdf.font("Helvetica-Bold").fontSize(8).fillColor("#666666").text(winAnsi(role), x, top, { width });
  pdf
    .font("Helvetica-Bold")
    .fontSize(11)
    .fillColor("#000000")
    .text(winAnsi(who.name), x, top + 12, { width });
  pdf.font("Helvetica").fontSize(10);
  const rest = [...who.address, who.email, who.telephone, who.url].filter(
    (line): line is string => typeof line === "string" && line !== "",
  );
  for (const line of rest) pdf.text(winAnsi(line), { width });
  return pdf.y;
}
