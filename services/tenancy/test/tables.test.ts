/**
 * Every table of tenancy's database is classified (src/tables.ts): the event store, the declared
 * secret store (SECRET_STORE in src/tables.ts), an inline or async projection, or a command-written table not
 * converted yet. The tables come from information_schema, so a new table fails here until it is placed.
 */
import { describeTableProofs } from "@platform/testkit";
import { MIGRATIONS_DIR } from "../src/service";
import { SECRET_STORE, TABLE_CLASSES } from "../src/tables";

describeTableProofs({
  migrationsDir: MIGRATIONS_DIR,
  role: "tenancy_test",
  tableClasses: TABLE_CLASSES,
  secretStore: SECRET_STORE,
});
