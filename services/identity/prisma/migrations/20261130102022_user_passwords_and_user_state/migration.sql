-- Password hashes move to their own secret-store table, so users becomes the inline projection of the
-- person's events (issue 10). No foreign key from a secret table to users: a rebuild empties users.
CREATE TABLE "user_passwords" (
    "user_id" TEXT NOT NULL,
    "password_hash" TEXT NOT NULL,
    "changed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "user_passwords_pkey" PRIMARY KEY ("user_id")
);

INSERT INTO "user_passwords" ("user_id", "password_hash", "changed_at")
SELECT "id", "password_hash", "updated_at" FROM "users" WHERE "password_hash" IS NOT NULL;

ALTER TABLE "users" DROP COLUMN "password_hash",
ADD COLUMN     "version" INTEGER NOT NULL DEFAULT 0;

-- Existing people take the version of their aggregate's log.
UPDATE "users" u SET "version" = COALESCE(
  (SELECT max(e."version") FROM "platform_events" e WHERE e."aggregate_id" = u."id"), 0);

-- sessions is the secret store now, whole: no key to a table the log rebuilds.
ALTER TABLE "sessions" DROP CONSTRAINT "sessions_user_id_fkey";

-- account_access keeps its key to users, checked at commit and without a cascade, so rebuilding users
-- inside one transaction neither fails nor takes people's access with it.
ALTER TABLE "account_access" DROP CONSTRAINT "account_access_user_id_fkey";
ALTER TABLE "account_access" ADD CONSTRAINT "account_access_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE NO ACTION ON UPDATE CASCADE DEFERRABLE INITIALLY DEFERRED;

-- Invitations accepted here, the inline projection of UserJoined (backfilled from the log).
CREATE TABLE "invitation_acceptances" (
    "invitation_id" TEXT NOT NULL,
    "user_id" TEXT NOT NULL,
    "accepted_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "invitation_acceptances_pkey" PRIMARY KEY ("invitation_id")
);

INSERT INTO "invitation_acceptances" ("invitation_id", "user_id", "accepted_at")
SELECT DISTINCT ON (e."payload"->>'invitation_id') e."payload"->>'invitation_id', e."aggregate_id", e."occurred_at"
FROM "platform_events" e
WHERE e."event_type" = 'platform.identity.UserJoined'
ORDER BY e."payload"->>'invitation_id', e."position";
