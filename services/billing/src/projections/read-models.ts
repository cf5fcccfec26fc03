import { type AccessHandlers, resetTrustedAccess } from "@platform/auth";
import {
  type IdentityPayloads,
  TenancyEvent,
  type TenancyPayloads,
  UsageEvent,
  type UsagePayloads,
} from "@platform/contracts";
import { allTenantIds, enterTenant } from "@platform/database";
import { handlersFor, type ProjectionHandler } from "@platform/event-sourcing";
import { CROSS_TENANT, type Tx } from "../app/tenant";

/** An organization's profile as tenancy's OrganizationCreated and OrganizationUpdated carry it, whole. */
type ProfileEvent =
  | TenancyPayloads[typeof TenancyEvent.OrganizationCreated]
  | TenancyPayloads[typeof TenancyEvent.OrganizationUpdated];

/** Writes the organization_profiles row an event implies: every column from the event, the time its own. */
async function storeProfile(tx: Tx, data: ProfileEvent, occurredAt: Date): Promise<void> {
  const { account_id: accountId } = data;
  const profile = {
    name: data.name,
    email: data.email,
    telephone: data.telephone,
    url: data.url,
    streetAddress: data.address?.street_address ?? null,
    locality: data.address?.locality ?? null,
    region: data.address?.region ?? null,
    postalCode: data.address?.postal_code ?? null,
    country: data.address?.country ?? null,
    timezone: data.settings.timezone,
    currency: data.settings.currency,
    language: data.settings.language,
    updatedAt: occurredAt,
  };
  await enterTenant(tx, accountId);
  await tx.organizationProfile.upsert({
    where: { accountId },
    create: { accountId, ...profile },
    update: profile,
  });
}

/**
 * billing's read models of other services' topics: identity's signing keys and role definitions (what
 * the token verifier trusts, kept so a restart trusts the same), the organizations tenancy closed, and
 * usage's closed periods (what renewals price overages from), and each organization's profile (the
 * customer details its invoices print).
 * Each handler validates before it stores, so what the verifier refuses is dead-lettered, never kept.
 */
export function readModelHandlers(access: AccessHandlers<Tx>): Record<string, ProjectionHandler<Tx>> {
  return {
    ...handlersFor<IdentityPayloads & TenancyPayloads>()<Tx>({
      ...access,
      // Both carry the whole profile; one organization's events arrive in order, so the last one wins.
      [TenancyEvent.OrganizationCreated]: (tx, event) => storeProfile(tx, event.data, event.occurredAt),
      [TenancyEvent.OrganizationUpdated]: (tx, event) => storeProfile(tx, event.data, event.occurredAt),
    }),
    ...handlersFor<UsagePayloads>()<Tx>({
      // One row per subscription and period: a redelivered or replayed close writes the same totals
      // again, so the renewal's overages are counted once however often it arrives.
      [UsageEvent.UsagePeriodClosed]: async (tx, event) => {
        const { data } = event;
        await enterTenant(tx, data.account_id);
        const key = { subscriptionId: data.subscription_id, periodStart: new Date(data.period_start) };
        const row = {
          accountId: data.account_id,
          periodEnd: new Date(data.period_end),
          totals: { ...data.totals },
          closedAt: event.occurredAt,
        };
        await tx.usagePeriod.upsert({
          where: { subscriptionId_periodStart: key },
          create: { ...key, ...row },
          update: row,
        });
      },
    }),
  };
}

/** Empties the read models for a rebuild from the topics (every tenant's closed accounts and profiles, the trusted access). */
export async function resetReadModels(tx: Tx): Promise<void> {
  for (const accountId of await allTenantIds(tx)) {
    await enterTenant(tx, accountId);
    await tx.closedAccount.deleteMany({ where: { accountId } });
    await tx.usagePeriod.deleteMany({ where: { accountId } });
    await tx.organizationProfile.deleteMany({ where: { accountId } });
  }
  await resetTrustedAccess(tx, CROSS_TENANT.roleDefinitions);
}
