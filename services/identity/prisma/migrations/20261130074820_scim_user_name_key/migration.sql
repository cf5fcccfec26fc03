-- AlterTable
ALTER TABLE "account_access" ADD COLUMN     "user_name_key" TEXT;

-- Backfill. userNames that already differ only by case keep the key on the oldest row only, so the
-- unique index can be built; the directory's next write of the others answers 409 uniqueness.
UPDATE "account_access" AS a
SET "user_name_key" = lower(a."user_name")
WHERE a."user_name" IS NOT NULL
  AND NOT EXISTS (
    SELECT 1 FROM "account_access" AS b
    WHERE b."account_id" = a."account_id"
      AND lower(b."user_name") = lower(a."user_name")
      AND (b."created_at", b."user_id") < (a."created_at", a."user_id")
  );

-- CreateIndex
CREATE UNIQUE INDEX "account_access_account_id_user_name_key_key" ON "account_access"("account_id", "user_name_key");
