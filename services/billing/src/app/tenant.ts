import { ROLE_DEFINITIONS_TABLE } from "@platform/auth";
import type { CrossTenantTable, TransactionOf } from "@platform/database";
import { IDEMPOTENCY_KEYS_TABLE } from "@platform/http";
import type { PrismaClient } from "../generated/prisma/client";

export type Db = PrismaClient;
export type Tx = TransactionOf<Db>;

/**
 * billing's tables read across tenants: the one place that says which, why, and by what key. Each is a
 * tenant table for writes (forced row-level security, the tenant policy); its lookup policy opens SELECT
 * only while a `lookupAcrossTenants` call names it. The isolation test holds the database to this list.
 */
export const CROSS_TENANT = {
  subscriptions: {
    table: "subscriptions",
    lookupBy: null,
    reason:
      "the scheduler lists every organization's due steps (trial reminders and ends, renewals) in one " +
      "indexed query on next_due_at, then runs each in its own tenant's transaction",
  },
  mrrChanges: {
    table: "mrr_changes",
    lookupBy: null,
    reason:
      "the platform operator's revenue metrics (GET /v1/billing/metrics) are computed over every " +
      "organization's MRR changes; only the operator credential reaches that read",
  },
  invoices: {
    table: "invoices",
    lookupBy: null,
    reason:
      "the scheduler lists every organization's due invoice steps (finalizations, charges, dunning's " +
      "retries and suspensions) in one indexed query on next_due_at, then runs each in its tenant's transaction",
  },
  /** The auth kit's role catalog (trustedAccessHandlers). */
  roleDefinitions: ROLE_DEFINITIONS_TABLE,
  /** The HTTP kit's idempotency keys: its pruner lists the organizations holding expired ones. */
  idempotencyKeys: IDEMPOTENCY_KEYS_TABLE,
} as const satisfies Record<string, CrossTenantTable>;
