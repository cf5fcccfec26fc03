-- AlterTable
ALTER TABLE "account_access" ADD COLUMN     "granted_at" TIMESTAMPTZ(3),
ADD COLUMN     "removed_at" TIMESTAMPTZ(3),
ALTER COLUMN "role" DROP NOT NULL,
ALTER COLUMN "source" DROP NOT NULL;

-- CreateTable
CREATE TABLE "account_memberships" (
    "user_id" TEXT NOT NULL,
    "account_id" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "added_at" TIMESTAMPTZ(3) NOT NULL,
    "role_set_at" TIMESTAMPTZ(3) NOT NULL,
    "role_changes" INTEGER NOT NULL DEFAULT 0,
    "removed_at" TIMESTAMPTZ(3),
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "account_memberships_pkey" PRIMARY KEY ("user_id","account_id")
);

-- CreateIndex
CREATE INDEX "account_memberships_account_id_idx" ON "account_memberships"("account_id");

-- Existing rows: what identity granted (provisioning, invitations) stays identity's grant; a row the
-- projector created from tenancy's MemberAdded (owner, admin, auto_join) keeps only the directory's
-- attributes here. Every row's current role becomes tenancy's membership, set at the row's last change,
-- so the role each person holds, and their SCIM ETag, are what they were.
UPDATE "account_access" SET "granted_at" = "created_at" WHERE "source" IN ('invitation', 'saml', 'oidc', 'scim');
INSERT INTO "account_memberships" ("user_id", "account_id", "role", "source", "added_at", "role_set_at", "role_changes", "removed_at", "updated_at")
  SELECT "user_id", "account_id", "role", "source", "created_at", "updated_at", 0, NULL, "updated_at" FROM "account_access";
UPDATE "account_access" SET "role" = NULL, "source" = NULL WHERE "granted_at" IS NULL;

-- A person's access as code reads it (src/app/access.ts): identity's grant and tenancy's membership,
-- each with one writer, joined. The later removal wins over an earlier grant or addition; the later of
-- identity's grant and tenancy's role setting gives the role.
CREATE VIEW "account_members" AS
  SELECT
    COALESCE(a."user_id", m."user_id") AS "user_id",
    COALESCE(a."account_id", m."account_id") AS "account_id",
    CASE
      WHEN m."user_id" IS NOT NULL AND m."removed_at" IS NULL
        AND (a."granted_at" IS NULL OR a."removed_at" IS NOT NULL OR m."role_set_at" >= a."granted_at")
      THEN m."role" ELSE a."role"
    END AS "role",
    COALESCE(CASE WHEN a."removed_at" IS NULL THEN a."active" END, TRUE) AS "active",
    CASE WHEN a."removed_at" IS NULL THEN a."external_id" END AS "external_id",
    CASE WHEN a."removed_at" IS NULL THEN a."user_name" END AS "user_name",
    CASE WHEN a."removed_at" IS NULL THEN a."user_name_key" END AS "user_name_key",
    COALESCE(CASE WHEN a."removed_at" IS NULL THEN a."source" END, m."source") AS "source",
    LEAST(
      CASE WHEN a."removed_at" IS NULL AND a."granted_at" IS NOT NULL THEN a."created_at" END,
      CASE WHEN m."removed_at" IS NULL THEN m."added_at" END
    ) AS "created_at",
    GREATEST(a."updated_at", m."updated_at") AS "updated_at",
    COALESCE(CASE WHEN a."removed_at" IS NULL THEN a."revision" END, 1) + COALESCE(m."role_changes", 0) AS "revision"
  FROM "account_access" a
  FULL JOIN "account_memberships" m ON m."user_id" = a."user_id" AND m."account_id" = a."account_id"
  WHERE
    -- identity's grant or tenancy's membership holds now,
    ((a."granted_at" IS NOT NULL AND a."removed_at" IS NULL) OR (m."user_id" IS NOT NULL AND m."removed_at" IS NULL))
    -- no directory removal after tenancy's last addition,
    AND NOT (a."removed_at" IS NOT NULL AND NOT (m."removed_at" IS NULL AND m."added_at" > a."removed_at"))
    -- and no tenancy removal after identity's last grant.
    AND NOT (m."removed_at" IS NOT NULL
      AND NOT (a."granted_at" IS NOT NULL AND a."removed_at" IS NULL AND a."granted_at" > m."removed_at"));
