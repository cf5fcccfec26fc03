/**
 * Every table of billing's database, by what writes it; test/tables.test.ts reads the database's
 * tables from information_schema and fails when one is in no class (or in two), so a new table must
 * be classified here. billing keeps no secrets (payment methods are the provider's ids), so it has no
 * secret store: everything but the event store is rebuilt from the logs.
 */
export const TABLE_CLASSES = {
  /** The kit's event store, consumer offsets and applied versions, and Prisma's migration log. */
  eventStore: [
    "platform_events",
    "platform_consumer_offsets",
    "platform_applied_versions",
    "_prisma_migrations",
  ],
  secretStore: [],
  /** billing's own state, written only by inline handlers in the append's transaction (src/projections/inline.ts). */
  inline: [
    "subscriptions",
    "mrr_changes",
    "invoices",
    "invoice_lines",
    "payments",
    "credit_notes",
    "test_clocks",
    "coupons",
    "usage_adjustments",
    "refunds",
  ],
  /** Read models of identity's, tenancy's and usage's topics, written by the projector (src/projections/read-models.ts). */
  async: ["closed_accounts", "organization_profiles", "role_definitions", "trusted_keys", "usage_periods"],
  /** Command-written tables: none, and none may be added (billing was built on inline projections). */
  notYetProjected: [],
  /**
   * Answers already given, kept so a retried POST with the same Idempotency-Key gets the same answer
   * (the HTTP kit's idempotency keys, docs/billing.md "Idempotency"). Not state: no event implies a row,
   * the rebuild proof keeps it untouched, and losing it only lets a retry run again. Pruned after 24 h.
   */
  requestCache: ["platform_idempotency_keys"],
} as const satisfies Record<string, readonly string[]>;

/**
 * Columns the rebuild proof may find changed after a replay, with why. Empty, and meant to stay so: a
 * column that differs after a replay is a handler reading the wall clock, a bug to fix, not to declare.
 */
export const UNREPLAYED_COLUMNS: Readonly<Record<string, Readonly<Record<string, string>>>> = {};
