/**
 * Every table of usage's database is classified (src/tables.ts), every tenant table has forced
 * row-level security (found through information_schema, not a list), and the migrations produce the
 * Prisma schema. A new table fails here until it is placed and made the kit's way.
 */
import { join } from "node:path";
import { describeTableProofs } from "@platform/testkit";
import { CROSS_TENANT } from "../src/app/tenant";
import { MIGRATIONS_DIR } from "../src/service";
import { TABLE_CLASSES } from "../src/tables";

describeTableProofs({
  migrationsDir: MIGRATIONS_DIR,
  role: "usage_test",
  tableClasses: TABLE_CLASSES,
  crossTenant: CROSS_TENANT,
  serviceDir: join(__dirname, ".."),
});
