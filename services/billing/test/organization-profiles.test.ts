/**
 * organization_profiles: tenancy's OrganizationCreated and OrganizationUpdated (the whole profile each
 * time) projected per organization, and what an invoice prints of them — a hostile name from tenancy
 * reaches the HTML page escaped.
 */
import { TenancyEvent } from "@platform/contracts";
import { waitFor } from "@platform/testkit";
import { invoiceDocumentOf } from "../src/domain/invoice-document";
import { renderInvoiceHtml } from "../src/rendering/invoice-html";
import { type Harness, organizationCreated, startBilling } from "./support/harness";

let h: Harness;
beforeAll(async () => {
  h = await startBilling();
});
afterAll(() => h?.close());

const HOSTILE = `Evil <script>alert("x")</script> Corp`;

function updated(accountId: string, changes: Record<string, unknown>) {
  return {
    ...organizationCreated(accountId, "Acme"),
    status: undefined,
    created_by_user_id: undefined,
    changed_fields: Object.keys(changes),
    ...changes,
  };
}

it("keeps each organization's latest profile, as tenancy's events carry it", async () => {
  const { accountId } = await h.organization("Globex");
  expect(await h.service.profiles.get(accountId)).toEqual({
    accountId,
    name: "Globex",
    email: null,
    telephone: null,
    url: null,
    address: null,
    timezone: "UTC",
    language: "en",
  });
  const address = {
    street_address: "1 Globex Way",
    locality: "Cypress Creek",
    region: "OR",
    postal_code: "97000",
    country: "US",
  };
  await h.publish(
    "tenancy",
    TenancyEvent.OrganizationUpdated,
    accountId,
    updated(accountId, {
      name: "Globex Corporation",
      email: "ap@globex.test",
      address,
      settings: {
        timezone: "America/Los_Angeles",
        date_format: "YYYY-MM-DD",
        currency: "USD",
        language: "en-US",
      },
    }),
  );
  const profile = await waitFor(
    async () => {
      const current = await h.service.profiles.get(accountId);
      return current?.name === "Globex Corporation" ? current : undefined;
    },
    { what: "billing to project the update" },
  );
  expect(profile).toMatchObject({
    email: "ap@globex.test",
    address,
    timezone: "America/Los_Angeles",
    language: "en-US",
  });
  expect(await h.service.profiles.get("acc_unknown")).toBeNull();
});

it("prints the organization's details on its invoice, a hostile name escaped", async () => {
  const { accountId } = await h.organization("Soon Hostile");
  await h.publish(
    "tenancy",
    TenancyEvent.OrganizationUpdated,
    accountId,
    updated(accountId, { name: HOSTILE }),
  );
  const profile = await waitFor(
    async () => {
      const current = await h.service.profiles.get(accountId);
      return current?.name === HOSTILE ? current : undefined;
    },
    { what: "billing to project the hostile name" },
  );
  const day = new Date("2026-11-01T00:00:00Z");
  const document = invoiceDocumentOf(
    {
      invoiceId: "in_1",
      number: "INV-2026-000001",
      status: "open",
      currency: "USD",
      issuedAt: day,
      dueAt: day,
      periodStart: day,
      periodEnd: new Date("2026-12-01T00:00:00Z"),
      lines: [],
      subtotalCents: 0,
      discountCents: 0,
      totalCents: 0,
      creditedCents: 0,
      amountPaidCents: 0,
      amountDueCents: 0,
      creditCarriedCents: 0,
      appliedBalanceCents: 0,
    },
    profile,
    {
      name: h.service.config.BILLING_ISSUER_NAME,
      address: h.service.config.BILLING_ISSUER_ADDRESS,
      email: null,
      telephone: null,
      url: null,
    },
    accountId,
  );
  const html = renderInvoiceHtml(document);
  expect(html).toContain("Evil &#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62; Corp");
  expect(html).not.toContain("<script");
});
