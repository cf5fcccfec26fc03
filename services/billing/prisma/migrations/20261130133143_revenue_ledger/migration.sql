-- CreateTable
CREATE TABLE "mrr_changes" (
    "event_id" UUID NOT NULL,
    "position" BIGINT NOT NULL,
    "account_id" TEXT NOT NULL,
    "subscription_id" TEXT NOT NULL,
    "occurred_at" TIMESTAMPTZ(3) NOT NULL,
    "previous_mrr_cents" INTEGER NOT NULL,
    "mrr_cents" INTEGER NOT NULL,
    "trial_converted" BOOLEAN,

    CONSTRAINT "mrr_changes_pkey" PRIMARY KEY ("event_id")
);

-- CreateIndex
CREATE INDEX "mrr_changes_account_id_position_idx" ON "mrr_changes"("account_id", "position");

-- CreateIndex
CREATE INDEX "mrr_changes_occurred_at_idx" ON "mrr_changes"("occurred_at");

-- Tenant table (packages/database, "Tenant tables"), from `platform-db tenant:sql --table mrr_changes --lookup-all`:
-- also read whole by one declared reader (CROSS_TENANT.mrrChanges in src/app/tenant.ts: the operator's metrics).
ALTER TABLE mrr_changes ENABLE ROW LEVEL SECURITY;
ALTER TABLE mrr_changes FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON mrr_changes USING (account_id = current_setting('app.tenant_id', true)) WITH CHECK (account_id = current_setting('app.tenant_id', true));
CREATE POLICY cross_tenant_lookup ON mrr_changes FOR SELECT USING (current_setting('app.lookup.mrr_changes', true) = '*');
