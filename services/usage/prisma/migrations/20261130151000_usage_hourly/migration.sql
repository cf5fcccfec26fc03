-- CreateTable
CREATE TABLE "usage_hourly" (
    "account_id" TEXT NOT NULL,
    "metric" TEXT NOT NULL,
    "hour" TIMESTAMPTZ(3) NOT NULL,
    "sum" BIGINT NOT NULL,
    "count" BIGINT NOT NULL,
    "max" BIGINT NOT NULL,

    CONSTRAINT "usage_hourly_pkey" PRIMARY KEY ("account_id","metric","hour")
);

-- Tenant table (packages/database, "Tenant tables"): forced row-level security and the tenant policy.
ALTER TABLE usage_hourly ENABLE ROW LEVEL SECURITY;
ALTER TABLE usage_hourly FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON usage_hourly USING (account_id = current_setting('app.tenant_id', true)) WITH CHECK (account_id = current_setting('app.tenant_id', true));
