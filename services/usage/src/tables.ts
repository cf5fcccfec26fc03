/**
 * Every table of usage's database, by what writes it; test/tables.test.ts reads the database's tables
 * from information_schema and fails when one is in no class (or in two), so a new table must be
 * classified here. usage keeps no secrets, so it has no secret store: everything but the event store is
 * rebuilt from the logs.
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
  /** usage's own state, written only by inline handlers in the append's transaction (src/projections/inline.ts;
   * usage_alerts' guard row is also inserted by the count just before it appends the alert). */
  inline: ["closed_periods", "usage_alerts"],
  /**
   * Read models of other topics: billing's periods and test clocks, tenancy's closings, members and projects, identity's
   * keys and roles (src/projections/read-models.ts); and the usage count of usage.ingest with its hourly
   * rollup, both written by the batch projector (src/projections/usage-count.ts, corrections.ts).
   */
  async: [
    "billing_periods",
    "closed_accounts",
    "members",
    "projects",
    "role_definitions",
    "test_clocks",
    "trusted_keys",
    "usage_events",
    "usage_hourly",
  ],
  /** Command-written tables: none, and none may be added (usage was built on projections). */
  notYetProjected: [],
} as const satisfies Record<string, readonly string[]>;

/**
 * Columns the rebuild proof may find changed after a replay, with why. Empty, and meant to stay so: a
 * column that differs after a replay is a handler reading the wall clock, a bug to fix, not to declare.
 */
export const UNREPLAYED_COLUMNS: Readonly<Record<string, Readonly<Record<string, string>>>> = {};
