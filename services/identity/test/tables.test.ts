/**
 * Every table of identity's database is classified (src/tables.ts): the event store, the declared
 * secret store (src/secret-store.ts), an inline or async projection, or a command-written table not
 * converted yet. The tables come from information_schema, so a new table fails here until it is placed.
 */
import { describeTableProofs } from "@platform/testkit";
import { SECRET_STORE } from "../src/secret-store";
import { MIGRATIONS_DIR } from "../src/service";
import { TABLE_CLASSES } from "../src/tables";

describeTableProofs({
  migrationsDir: MIGRATIONS_DIR,
  role: "identity_test",
  tableClasses: TABLE_CLASSES,
  secretStore: SECRET_STORE,
});
