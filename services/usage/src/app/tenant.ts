import type { CrossTenantTable } from "@platform/database";
import type { PrismaClient } from "../generated/prisma/client";

export type Db = PrismaClient;
export type Tx = Parameters<Parameters<PrismaClient["$transaction"]>[0]>[0];

/**
 * usage's tables read across tenants: the one place that says which, why, and by what key. Each is a
 * tenant table for writes (forced row-level security, the tenant policy); its lookup policy opens SELECT
 * only while a `lookupAcrossTenants` call names it. The isolation test holds the database to this list.
 */
export const CROSS_TENANT = {
  billingPeriods: {
    table: "billing_periods",
    lookupBy: null,
    reason:
      "the period closer lists every organization's periods past their end and grace in one indexed query " +
      "on period_end, then closes each in its own tenant's transaction",
  },
  roleDefinitions: {
    table: "role_definitions",
    lookupBy: null,
    reason:
      "identity's role catalog (each organization's roles and the platform's, account_id 'platform'): the token " +
      "verifier needs all of it at start, before any request names a tenant",
  },
} as const satisfies Record<string, CrossTenantTable>;
