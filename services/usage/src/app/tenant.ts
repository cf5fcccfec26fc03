import { ROLE_DEFINITIONS_TABLE } from "@platform/auth";
import type { CrossTenantTable, TransactionOf } from "@platform/database";
import type { PrismaClient } from "../generated/prisma/client";

export type Db = PrismaClient;
export type Tx = TransactionOf<Db>;

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
  testClocks: {
    table: "test_clocks",
    lookupBy: null,
    reason:
      "the period closer lists the organizations that live on an attached test clock, to close their periods " +
      "by the clock's time and leave them out of the wall clock's due list",
  },
  /** The auth kit's role catalog (trustedAccessHandlers). */
  roleDefinitions: ROLE_DEFINITIONS_TABLE,
} as const satisfies Record<string, CrossTenantTable>;
