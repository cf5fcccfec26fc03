import { inTenant } from "@platform/database";
import type { CustomerProfile } from "../domain/invoice-document";
import type { Db } from "./tenant";

/** Organizations' profiles as billing projected them from tenancy's events (organization_profiles). */
export class OrganizationProfiles {
  constructor(private readonly db: Db) {}

  async get(accountId: string): Promise<CustomerProfile | null> {
    const row = await inTenant(this.db, accountId, (tx) =>
      tx.organizationProfile.findUnique({ where: { accountId } }),
    );
    if (!row) return null;
    const address = {
      street_address: row.streetAddress,
      locality: row.locality,
      region: row.region,
      postal_code: row.postalCode,
      country: row.country,
    };
    return {
      accountId,
      name: row.name,
      email: row.email,
      telephone: row.telephone,
      url: row.url,
      address: Object.values(address).some((part) => part !== null) ? address : null,
      timezone: row.timezone,
      language: row.language,
    };
  }
}
