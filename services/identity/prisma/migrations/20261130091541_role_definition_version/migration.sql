-- AlterTable
ALTER TABLE "role_definitions" ADD COLUMN     "version" INTEGER NOT NULL DEFAULT 0;

-- Existing rows take the version of their aggregate's log (role:<account>:<role>).
UPDATE "role_definitions" r SET "version" = COALESCE(
  (SELECT max(e.version) FROM "platform_events" e WHERE e.aggregate_id = 'role:' || r.account_id || ':' || r.role), 0);
