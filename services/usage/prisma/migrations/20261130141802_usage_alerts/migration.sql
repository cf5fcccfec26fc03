-- CreateTable
CREATE TABLE "usage_alerts" (
    "account_id" TEXT NOT NULL,
    "period_start" TIMESTAMPTZ(3) NOT NULL,
    "metric" TEXT NOT NULL,
    "threshold_percent" INTEGER NOT NULL,
    "current" BIGINT NOT NULL,
    "limit" BIGINT NOT NULL,
    "reached_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "usage_alerts_pkey" PRIMARY KEY ("account_id","period_start","metric","threshold_percent")
);

-- Tenant table (packages/database, "Tenant tables"): forced row-level security and the tenant policy.
ALTER TABLE usage_alerts ENABLE ROW LEVEL SECURITY;
ALTER TABLE usage_alerts FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON usage_alerts USING (account_id = current_setting('app.tenant_id', true)) WITH CHECK (account_id = current_setting('app.tenant_id', true));
