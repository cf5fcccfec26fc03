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

/** Text made safe for HTML content and quoted attributes: every value that came from outside passes here. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A URL printed as a link only when it is http(s): a `javascript:` URL from a profile stays text. */
function link(url: string): string {
  return /^https?:\/\//i.test(url) ? `<a href="${escapeHtml(url)}">${escapeHtml(url)}</a>` : escapeHtml(url);
}

function party(role: string, who: Party): string {
  const lines = [
    `<strong>${escapeHtml(who.name)}</strong>`,
    ...who.address.map(escapeHtml),
    ...(who.email ? [escapeHtml(who.email)] : []),
    ...(who.telephone ? [escapeHtml(who.telephone)] : []),
    ...(who.url ? [link(who.url)] : []),
  ];
  return `<section class="party"><h2>${role}</h2><p>${lines.join("<br>")}</p></section>`;
}

const STYLE = `
body{font-family:Helvetica,Arial,sans-serif;color:#222;margin:0;background:#f4f4f4}
main{max-width:800px;margin:2rem auto;background:#fff;padding:2.5rem;box-shadow:0 1px 3px rgba(0,0,0,.15)}
header{display:flex;justify-content:space-between;align-items:baseline;border-bottom:2px solid #222;margin-bottom:1.5rem}
h1{font-size:1.6rem;margin:0 0 .5rem}h2{font-size:.8rem;text-transform:uppercase;color:#666;margin:0 0 .3rem}
.status{font-size:.8rem;text-transform:uppercase;border:1px solid #222;padding:.15rem .5rem}
.parties{display:flex;justify-content:space-between;gap:2rem;margin-bottom:1.5rem}.party p{margin:0}
dl.dates{display:grid;grid-template-columns:max-content auto;gap:.2rem 1rem;margin:0 0 1.5rem}dt{color:#666}dd{margin:0}
table{width:100%;border-collapse:collapse}th,td{padding:.45rem .3rem;border-bottom:1px solid #ddd;vertical-align:top}
th{text-align:left;font-size:.8rem;color:#666}.num{text-align:right;white-space:nowrap}.period{color:#666;font-size:.85rem}
table.totals{width:auto;margin-left:auto;margin-top:1rem}table.totals td{border:0}.strong td{font-weight:bold;border-top:1px solid #222}
@media print{body{background:#fff}main{box-shadow:none;margin:0}}`;

/**
 * The invoice as one self-contained HTML page (no script, no external style, font or image), every
 * value from outside escaped. Served with a Content-Security-Policy that forbids everything but the
 * inline style (src/http/invoice-document-routes.ts), so even an unescaped value could run nothing.
 */
export function renderInvoiceHtml(doc: InvoiceDocument): string {
  const money = (cents: number) => escapeHtml(formatMoney(cents, doc.currency, doc.locale));
  const date = (at: Date | null) => (at ? escapeHtml(formatDate(at, doc.timeZone)) : "—");
  const title = escapeHtml(invoiceTitle(doc));
  const lines = doc.lines
    .map((line) => {
      const period =
        line.periodStart && line.periodEnd
          ? `<div class="period">${escapeHtml(formatPeriod(line.periodStart, line.periodEnd, doc.timeZone))}</div>`
          : "";
      return `<tr><td>${escapeHtml(line.description)}${period}</td><td class="num">${escapeHtml(
        formatQuantity(line.quantity, doc.locale),
      )}</td><td class="num">${escapeHtml(formatUnitPrice(line.unitPrice, doc.currency, doc.locale))}</td><td class="num">${money(
        line.amountCents,
      )}</td></tr>`;
    })
    .join("\n");
  const totals = totalRows(doc)
    .map(
      (row) =>
        `<tr${row.strong ? ' class="strong"' : ""}><td>${escapeHtml(row.label)}</td><td class="num">${money(row.cents)}</td></tr>`,
    )
    .join("\n");
  return `<!DOCTYPE html>
<html lang="${escapeHtml(doc.locale)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<header><h1>${title}</h1><span class="status">${escapeHtml(doc.status)}</span></header>
<div class="parties">
${party("From", doc.issuer)}
${party("Bill to", doc.customer)}
</div>
<dl class="dates">
<dt>Invoice number</dt><dd>${doc.number ? escapeHtml(doc.number) : "— (draft)"}</dd>
<dt>Issued</dt><dd>${date(doc.issuedAt)}</dd>
<dt>Due</dt><dd>${date(doc.dueAt)}</dd>
<dt>Period</dt><dd>${escapeHtml(formatPeriod(doc.periodStart, doc.periodEnd, doc.timeZone))}</dd>
<dt>Currency</dt><dd>${escapeHtml(doc.currency)}</dd>
</dl>
<table class="lines">
<thead><tr><th>Description</th><th class="num">Quantity</th><th class="num">Unit price</th><th class="num">Amount</th></tr></thead>
<tbody>
${lines}
</tbody>
</table>
<table class="totals">
${totals}
</table>
</main>
</body>
</html>
`;
}
