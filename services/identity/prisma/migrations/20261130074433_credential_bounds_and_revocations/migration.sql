-- AlterTable
ALTER TABLE "api_keys" ADD COLUMN     "creator_user_id" TEXT,
ADD COLUMN     "parent_key_id" TEXT,
ADD COLUMN     "session_id" TEXT;

-- AlterTable
ALTER TABLE "scim_tokens" ADD COLUMN     "creator_user_id" TEXT,
ADD COLUMN     "parent_key_id" TEXT,
ADD COLUMN     "session_id" TEXT;

-- CreateTable
CREATE TABLE "revocations" (
    "id" TEXT NOT NULL,
    "scope" TEXT NOT NULL,
    "subject_id" TEXT NOT NULL,
    "account_id" TEXT,
    "tokens_issued_before" TIMESTAMPTZ(3) NOT NULL,
    "reason" TEXT NOT NULL,

    CONSTRAINT "revocations_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "revocations_subject_id_idx" ON "revocations"("subject_id");

-- CreateIndex
CREATE INDEX "api_keys_parent_key_id_idx" ON "api_keys"("parent_key_id");

-- CreateIndex
CREATE INDEX "api_keys_session_id_idx" ON "api_keys"("session_id");

-- Credentials minted before creators were recorded: a person's own id is their creator; an API key's
-- id (an older key minted by a key) stays without one, and such a key no longer exchanges.
UPDATE "api_keys" SET "creator_user_id" = "created_by" WHERE "created_by" LIKE 'usr\_%';
