-- AlterTable
ALTER TABLE "invoices" ADD COLUMN "applied_balance_cents" INTEGER NOT NULL DEFAULT 0;

-- AlterTable
ALTER TABLE "credit_notes" ADD COLUMN "balance_credit_cents" INTEGER NOT NULL DEFAULT 0;

-- CreateTable
CREATE TABLE "usage_adjustments" (
    "id" TEXT NOT NULL,
    "account_id" TEXT NOT NULL,
    "subscription_id" TEXT NOT NULL,
    "period_start" TIMESTAMPTZ(3) NOT NULL,
    "period_end" TIMESTAMPTZ(3) NOT NULL,
    "metric" TEXT NOT NULL,
    "quantity" INTEGER NOT NULL,
    "reason" TEXT NOT NULL,
    "idempotency_key" TEXT,
    "recorded_at" TIMESTAMPTZ(3) NOT NULL,
    "position" BIGINT NOT NULL,
    "invoice_id" TEXT,

    CONSTRAINT "usage_adjustments_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "usage_adjustments_subscription_id_invoice_id_idx" ON "usage_adjustments"("subscription_id", "invoice_id");

-- Tenant table (packages/database, "Tenant tables"), from `platform-db tenant:sql --table usage_adjustments`:
ALTER TABLE usage_adjustments ENABLE ROW LEVEL SECURITY;
ALTER TABLE usage_adjustments FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON usage_adjustments USING (account_id = current_setting('app.tenant_id', true)) WITH CHECK (account_id = current_setting('app.tenant_id', true));
