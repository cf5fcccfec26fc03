/**
 * An invoice as an HTML page and as a PDF (docs/billing.md, "Invoice documents"), against real Kafka and
 * Postgres: a trial converts, tenancy renames the organization (a hostile name) and gives it an
 * address, and the conversion invoice's documents show its number, lines and totals with those details,
 * escaped; billing.read in the token's own organization, another organization's invoice 404.
 */
import { TenancyEvent } from "@platform/contracts";
import { waitFor } from "@platform/testkit";
import { TEST_PAYMENT_METHODS as PM } from "../src/app/payments/test-provider";
import { type Harness, organizationCreated, startBilling } from "./support/harness";

let h: Harness;
beforeAll(async () => {
  h = await startBilling();
});
afterAll(() => h?.close());

const HOSTILE = `Bobby"); <script>alert(1)</script> Tables & Co`;
const setClock = (at: Date) => h.clock.advance(at.getTime() - h.clock.now().getTime());
const inv = (accountId: string, tail = "") => `/v1/organizations/${accountId}/invoices${tail}`;

/** GET as bytes: the caller would read a PDF as text. */
async function raw(path: string, token: string) {
  const response = await fetch(h.url + path, { headers: { authorization: `Bearer ${token}` } });
  return {
    status: response.status,
    headers: response.headers,
    body: Buffer.from(await response.arrayBuffer()),
  };
}

/** A converted trial (its first invoice issued and paid) of an organization tenancy renamed and gave an address. */
async function invoiced(name: string) {
  const { accountId } = await h.organization("Before the rename");
  await h.publish("tenancy", TenancyEvent.OrganizationUpdated, accountId, {
    ...organizationCreated(accountId, name),
    status: undefined,
    email: "ap@tables.test",
    address: {
      street_address: "1 Drop St",
      locality: "Springfield",
      region: null,
      postal_code: "12345",
      country: "US",
    },
    changed_fields: ["name", "email", "address"],
  });
  await waitFor(async () => ((await h.service.profiles.get(accountId))?.name === name ? true : undefined), {
    what: "billing to project the rename",
  });
  const token = await h.token(accountId);
  expect(
    (
      await h.call("POST", `/v1/organizations/${accountId}/subscription/payment-method`, {
        token,
        body: { payment_method_id: PM.succeeds },
      })
    ).status,
  ).toBe(200);
  setClock((await h.service.subscriptions.get(accountId)).trialEnd as Date);
  await h.service.runScheduler();
  const list = await h.call("GET", inv(accountId), { token: await h.token(accountId) });
  const [first] = list.body.data as { invoice_id: string; number: string }[];
  if (!first) throw new Error("no invoice after the conversion");
  return { accountId, invoiceId: first.invoice_id, number: first.number };
}

it("serves the invoice as one escaped, self-contained HTML page with the organization's details", async () => {
  const { accountId, invoiceId, number } = await invoiced(HOSTILE);
  const page = await raw(inv(accountId, `/${invoiceId}/html`), await h.token(accountId, "admin"));
  expect(page.status).toBe(200);
  expect(page.headers.get("content-type")).toMatch(/^text\/html; charset=utf-8/);
  expect(page.headers.get("content-security-policy")).toMatch(
    /^default-src 'none'; style-src 'unsafe-inline'/,
  );
  expect(page.headers.get("cache-control")).toBe("private, no-store");
  const html = page.body.toString("utf8");
  expect(html).toContain(`<title>Invoice ${number}</title>`);
  expect(html).toContain("Bobby&#34;); &#60;script&#62;alert(1)&#60;/script&#62; Tables &#38; Co");
  expect(html).not.toContain("<script");
  for (const text of ["12345 Springfield", "ap@tables.test", "Professional (monthly)", "$199.00", "paid"])
    expect(html).toContain(text);
  expect(html).toMatch(/Amount paid<\/td><td class="num">\$199\.00/);
  expect(html).toMatch(/Amount due<\/td><td class="num">\$0\.00/);
});

it("serves the invoice as a PDF named by its number", async () => {
  const { accountId, invoiceId, number } = await invoiced("Acme Widgets");
  const pdf = await raw(inv(accountId, `/${invoiceId}/pdf`), await h.token(accountId));
  expect(pdf.status).toBe(200);
  expect(pdf.headers.get("content-type")).toBe("application/pdf");
  expect(pdf.headers.get("content-disposition")).toBe(`inline; filename="${number}.pdf"`);
  expect(pdf.body.subarray(0, 5).toString("latin1")).toBe("%PDF-");
  // The document's metadata (its Title, an indirect string object) is not compressed: it names the invoice.
  expect(pdf.body.toString("latin1")).toContain(`(Invoice ${number})`);
});

it("answers 404 for another organization's invoice or an unknown one, 403 without billing.read", async () => {
  const a = await invoiced("Owner A");
  const b = await h.organization("Prier B");
  const asB = await h.token(b.accountId);
  for (const format of ["html", "pdf"]) {
    const other = await h.call("GET", inv(b.accountId, `/${a.invoiceId}/${format}`), { token: asB });
    expect([other.status, other.body.code]).toEqual([404, "invoice_not_found"]);
    const unknown = await h.call("GET", inv(a.accountId, `/in_unknown/${format}`), {
      token: await h.token(a.accountId),
    });
    expect([unknown.status, unknown.body.code]).toEqual([404, "invoice_not_found"]);
    const mismatch = await h.call("GET", inv(a.accountId, `/${a.invoiceId}/${format}`), { token: asB });
    expect([mismatch.status, mismatch.body.code]).toEqual([403, "account_mismatch"]);
    const member = await h.call("GET", inv(a.accountId, `/${a.invoiceId}/${format}`), {
      token: await h.token(a.accountId, "member"),
    });
    expect([member.status, member.body.code]).toEqual([403, "permission_denied"]);
  }
});
