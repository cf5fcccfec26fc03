/**
 * The invoice renderers are pure functions of an InvoiceDocument: money from minor units without
 * floats, in the organization's locale and currency; dates in its time zone; every outside value
 * escaped in the HTML; a PDF whose text (read back from uncompressed content streams) carries the
 * number, the customer and the totals.
 */
import {
  addressLines,
  formatDate,
  formatMoney,
  formatPeriod,
  formatUnitPrice,
  type InvoiceDocument,
} from "../../src/domain/invoice-document";
import { escapeHtml, renderInvoiceHtml } from "../../src/rendering/invoice-html";
import { renderInvoicePdf, winAnsi } from "../../src/rendering/invoice-pdf";

const at = (iso: string) => new Date(iso);
const HOSTILE = `<script>alert("pwned")</script> & Sons' <img src=x onerror=alert(1)>`;

function invoice(overrides: Partial<InvoiceDocument> = {}): InvoiceDocument {
  return {
    invoiceId: "in_0123",
    number: "INV-2026-000042",
    status: "open",
    currency: "USD",
    locale: "en-US",
    timeZone: "UTC",
    issuedAt: at("2026-11-01T00:00:00Z"),
    dueAt: at("2026-11-15T00:00:00Z"),
    periodStart: at("2026-11-01T00:00:00Z"),
    periodEnd: at("2026-12-01T00:00:00Z"),
    issuer: {
      name: "SaaS Platform Inc.",
      address: ["1 Market St", "94105 San Francisco"],
      email: "billing@platform.test",
      telephone: null,
      url: null,
    },
    customer: {
      name: "Initech",
      address: addressLines({
        street_address: "4120 Freidrich Ln",
        locality: "Austin",
        region: "TX",
        postal_code: "78744",
        country: "US",
      }),
      email: "ap@initech.test",
      telephone: "+1 512 555 0100",
      url: "https://initech.test",
    },
    lines: [
      {
        description: "Professional (monthly)",
        periodStart: at("2026-11-01T00:00:00Z"),
        periodEnd: at("2026-12-01T00:00:00Z"),
        quantity: 1,
        unitPrice: "199.00",
        amountCents: 19_900,
      },
      {
        description: "apiCalls over the 100,000 included: 3 × 1,000",
        periodStart: at("2026-10-01T00:00:00Z"),
        periodEnd: at("2026-11-01T00:00:00Z"),
        quantity: 3,
        unitPrice: "5.00",
        amountCents: 1_500,
      },
      {
        description: "WELCOME10: 10 % off",
        periodStart: null,
        periodEnd: null,
        quantity: 1,
        unitPrice: "-21.40",
        amountCents: -2_140,
      },
    ],
    subtotalCents: 21_400,
    discountCents: 2_140,
    totalCents: 19_260,
    creditedCents: 0,
    amountPaidCents: 0,
    amountDueCents: 19_260,
    creditCarriedCents: 0,
    appliedBalanceCents: 0,
    ...overrides,
  };
}

describe("money, quantities and dates", () => {
  it.each([
    [19_260, "USD", "en-US", "$192.60"],
    [-2_140, "USD", "en-US", "-$21.40"],
    [123_456_789, "USD", "en-US", "$1,234,567.89"],
    [Number.MAX_SAFE_INTEGER, "USD", "en-US", "$90,071,992,547,409.91"],
    [123_450, "EUR", "de-DE", "1.234,50 €"],
    [1_234, "JPY", "en-US", "¥1,234"],
    [5, "USD", "not a locale!", "$0.05"],
  ])("%d minor units of %s in %s is %s", (cents, currency, locale, shown) => {
    expect(formatMoney(cents, currency, locale).replace(/\u00a0/g, " ")).toBe(shown);
  });

  it("shows a unit price with its own precision, at least the currency's", () => {
    expect(formatUnitPrice("0.005", "USD", "en-US")).toBe("$0.005");
    expect(formatUnitPrice("49", "USD", "en-US")).toBe("$49.00");
  });

  it("shows dates in the organization's time zone, and a period up to the day before its end", () => {
    expect(formatDate(at("2026-11-01T03:00:00Z"), "America/Los_Angeles")).toBe("2026-10-31");
    expect(formatDate(at("2026-11-01T03:00:00Z"), "Not/AZone")).toBe("2026-11-01");
    expect(formatPeriod(at("2026-11-01T00:00:00Z"), at("2026-12-01T00:00:00Z"), "UTC")).toBe(
      "2026-11-01 – 2026-11-30",
    );
  });
});

describe("renderInvoiceHtml", () => {
  it("is one self-contained page: no script, no external resource", () => {
    const html = renderInvoiceHtml(invoice());
    expect(html.startsWith("<!DOCTYPE html>")).toBe(true);
    expect(html).toContain("<title>Invoice INV-2026-000042</title>");
    expect(html).not.toMatch(/<script|<link|src=|@import|url\(/i);
  });

  it("escapes a hostile organization name, address and description everywhere", () => {
    const hostile = invoice({
      customer: {
        name: HOSTILE,
        address: [HOSTILE],
        email: `"><svg onload=alert(1)>`,
        telephone: null,
        url: "javascript:alert(1)",
      },
      lines: invoice().lines.map((line) => ({ ...line, description: HOSTILE })),
      locale: `en"><script>`,
    });
    const html = renderInvoiceHtml(hostile);
    expect(html).not.toContain("<script");
    expect(html).not.toContain("<img");
    expect(html).not.toContain("<svg");
    expect(html).not.toContain('href="javascript');
    expect(html).toContain(escapeHtml(HOSTILE));
    expect(escapeHtml(HOSTILE)).toBe(
      "&#60;script&#62;alert(&#34;pwned&#34;)&#60;/script&#62; &#38; Sons&#39; &#60;img src=x onerror=alert(1)&#62;",
    );
  });

  it("shows the lines, their periods and the totals in the invoice's currency", () => {
    const html = renderInvoiceHtml(invoice());
    for (const text of [
      "$199.00",
      "$15.00",
      "-$21.40",
      "$214.00",
      "$192.60",
      "2026-10-01 – 2026-10-31",
      "Initech",
      "78744 Austin",
      "Due",
      "2026-11-15",
    ])
      expect(html).toContain(text);
    expect(html).toMatch(/Discounts<\/td><td class="num">-\$21\.40/);
    expect(html).toMatch(/Amount due<\/td><td class="num">\$192\.60/);
    expect(html).not.toContain("Credit carried");
    expect(html).not.toContain("Credit notes");
  });

  it("says draft when no number is assigned yet, and shows a carried credit and credit notes", () => {
    const html = renderInvoiceHtml(
      invoice({ number: null, status: "draft", creditCarriedCents: 5_000, creditedCents: 1_000 }),
    );
    expect(html).toMatch(/Credit notes<\/td><td class="num">-\$10\.00/);
    expect(html).toContain("<title>Draft invoice in_0123</title>");
    expect(html).toContain("Credit carried to your balance");
  });
});

/** The text of an uncompressed pdfkit PDF: each TJ array's hex strings, bytes as Latin-1 (WinAnsi's 0x80-0x9F, € among them, aside). */
function pdfText(pdf: Buffer): string[] {
  const source = pdf.toString("latin1");
  return [...source.matchAll(/\[([^\]]*)\] TJ/g)].map((match) =>
    [...(match[1] ?? "").matchAll(/<([0-9a-f]*)>/gi)]
      .map((hex) => Buffer.from(hex[1] ?? "", "hex").toString("latin1"))
      .join(""),
  );
}

describe("renderInvoicePdf", () => {
  it("is a PDF carrying the number, the customer, the lines and the totals", async () => {
    const pdf = await renderInvoicePdf(invoice(), { compress: false });
    expect(pdf.subarray(0, 5).toString("latin1")).toBe("%PDF-");
    const text = pdfText(pdf);
    for (const expected of [
      "Invoice INV-2026-000042",
      "Initech",
      "Professional (monthly)",
      "$199.00",
      "-$21.40",
      "$192.60",
      "Amount due",
    ])
      expect(text).toContain(expected);
  });

  it("prints the customer's balance applied, between the total and the amount due", async () => {
    const doc = invoice({ appliedBalanceCents: 10_000, amountDueCents: 9_260 });
    const html = renderInvoiceHtml(doc);
    expect(html).toMatch(/Applied balance<\/td><td class="num">-\$100\.00/);
    expect(html.indexOf("Applied balance")).toBeGreaterThan(html.indexOf(">Total<"));
    expect(html).toMatch(/Amount due<\/td><td class="num">\$92\.60/);
    const text = pdfText(await renderInvoicePdf(doc, { compress: false }));
    expect(text).toEqual(expect.arrayContaining(["Applied balance", "-$100.00", "$92.60"]));
    expect(renderInvoiceHtml(invoice())).not.toContain("Applied balance");
  });

  it("continues the lines on further pages, and renders one invoice to the same bytes", async () => {
    const many = invoice({
      lines: Array.from({ length: 80 }, (_, i) => ({
        ...invoice().lines[0],
        description: `line ${i + 1}`,
      })) as InvoiceDocument["lines"],
    });
    const pdf = await renderInvoicePdf(many, { compress: false });
    expect(pdf.toString("latin1").match(/\/Type \/Page\b/g)?.length).toBeGreaterThan(1);
    expect(pdfText(pdf)).toEqual(expect.arrayContaining(["line 1", "line 80", "Amount due"]));
    expect((await renderInvoicePdf(many)).equals(await renderInvoicePdf(many))).toBe(true);
  });

  it("shows what the built-in font cannot as ?, never as another character", async () => {
    expect(winAnsi("Zürich “Ωmega” 株式会社 – 1\u202f234,50\u00a0€ \u22121")).toBe(
      "Zürich “?mega” ???? – 1 234,50\u00a0€ -1",
    );
    const pdf = await renderInvoicePdf(
      invoice({ customer: { ...invoice().customer, name: "株式会社 Initech" } }),
      {
        compress: false,
      },
    );
    expect(pdfText(pdf)).toContain("???? Initech");
    expect(
      renderInvoiceHtml(invoice({ customer: { ...invoice().customer, name: "株式会社 Initech" } })),
    ).toContain("株式会社 Initech");
    // French groups digits with a narrow no-break space, which WinAnsi lacks: printed as a space.
    const french = await renderInvoicePdf(
      invoice({ locale: "fr-FR", currency: "EUR", totalCents: 123_450 }),
      {
        compress: false,
      },
    );
    expect(pdfText(french).filter((text) => text.startsWith("1 234,50\u00a0"))).toHaveLength(1); // the total
  });
});
