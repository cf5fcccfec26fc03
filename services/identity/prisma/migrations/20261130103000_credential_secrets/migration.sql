-- API keys, SCIM tokens and SSO connections become inline projections of their events; the secrets
-- they held move into secret-store tables of their own (src/secret-store.ts), with their data.

-- CreateTable
CREATE TABLE "api_key_secrets" (
    "key_id" TEXT NOT NULL,
    "secret_hash" TEXT NOT NULL,
    "last_used_at" TIMESTAMPTZ(3),

    CONSTRAINT "api_key_secrets_pkey" PRIMARY KEY ("key_id")
);

-- CreateTable
CREATE TABLE "scim_token_secrets" (
    "token_id" TEXT NOT NULL,
    "token_hash" TEXT NOT NULL,

    CONSTRAINT "scim_token_secrets_pkey" PRIMARY KEY ("token_id")
);

-- CreateTable
CREATE TABLE "sso_client_secrets" (
    "connection_id" TEXT NOT NULL,
    "client_secret" TEXT NOT NULL,

    CONSTRAINT "sso_client_secrets_pkey" PRIMARY KEY ("connection_id")
);

-- Move the secrets (and the keys' last use, which is no event) out of the projected tables.
INSERT INTO "api_key_secrets" ("key_id", "secret_hash", "last_used_at")
  SELECT "id", "secret_hash", "last_used_at" FROM "api_keys";
INSERT INTO "scim_token_secrets" ("token_id", "token_hash")
  SELECT "id", "token_hash" FROM "scim_tokens";
INSERT INTO "sso_client_secrets" ("connection_id", "client_secret")
  SELECT "id", "client_secret" FROM "sso_connections" WHERE "client_secret" IS NOT NULL;

-- CreateIndex
CREATE UNIQUE INDEX "api_key_secrets_secret_hash_key" ON "api_key_secrets"("secret_hash");

-- CreateIndex
CREATE UNIQUE INDEX "scim_token_secrets_token_hash_key" ON "scim_token_secrets"("token_hash");

-- DropIndex
DROP INDEX "api_keys_secret_hash_key";

-- DropIndex
DROP INDEX "scim_tokens_token_hash_key";

-- AlterTable
ALTER TABLE "api_keys" DROP COLUMN "last_used_at",
DROP COLUMN "secret_hash",
ADD COLUMN     "version" INTEGER NOT NULL DEFAULT 0;

-- AlterTable
ALTER TABLE "scim_tokens" DROP COLUMN "token_hash",
ADD COLUMN     "version" INTEGER NOT NULL DEFAULT 0;

-- AlterTable
ALTER TABLE "sso_connections" DROP COLUMN "client_secret",
ADD COLUMN     "version" INTEGER NOT NULL DEFAULT 0;

-- Existing rows take the version of their aggregate's log (the aggregate id is the row's id).
UPDATE "api_keys" r SET "version" = COALESCE(
  (SELECT max(e.version) FROM "platform_events" e WHERE e.aggregate_id = r.id), 0);
UPDATE "scim_tokens" r SET "version" = COALESCE(
  (SELECT max(e.version) FROM "platform_events" e WHERE e.aggregate_id = r.id), 0);
UPDATE "sso_connections" r SET "version" = COALESCE(
  (SELECT max(e.version) FROM "platform_events" e WHERE e.aggregate_id = r.id), 0);
