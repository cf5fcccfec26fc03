-- AlterTable
ALTER TABLE "subscriptions" ADD COLUMN     "discounts" JSONB NOT NULL DEFAULT '[]',
ADD COLUMN     "test_clock_id" TEXT;

-- CreateTable
CREATE TABLE "test_clocks" (
    "id" TEXT NOT NULL,
    "account_id" TEXT NOT NULL,
    "name" TEXT,
    "frozen_time" TIMESTAMPTZ(3) NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "status" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    "version" INTEGER NOT NULL,

    CONSTRAINT "test_clocks_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "test_clocks_account_id_idx" ON "test_clocks"("account_id");

-- CreateIndex
CREATE INDEX "subscriptions_test_clock_id_idx" ON "subscriptions"("test_clock_id");

-- Tenant table (packages/database, "Tenant tables"): forced row-level security and the tenant policy,
-- from `platform-db tenant:sql`. A test clock is read only inside its organization's transaction.
ALTER TABLE test_clocks ENABLE ROW LEVEL SECURITY;
ALTER TABLE test_clocks FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON test_clocks USING (account_id = current_setting('app.tenant_id', true)) WITH CHECK (account_id = current_setting('app.tenant_id', true));
