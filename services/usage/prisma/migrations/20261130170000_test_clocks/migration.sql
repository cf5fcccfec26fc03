-- CreateTable
CREATE TABLE "test_clocks" (
    "account_id" TEXT NOT NULL,
    "test_clock_id" TEXT NOT NULL,
    "frozen_time" TIMESTAMPTZ(3) NOT NULL,
    "attached" BOOLEAN NOT NULL,

    CONSTRAINT "test_clocks_pkey" PRIMARY KEY ("account_id","test_clock_id")
);

-- Tenant table (packages/database, "Tenant tables"), also read whole by one declared reader
-- (CROSS_TENANT in src/app/tenant.ts: the period closer's clocked organizations).
ALTER TABLE test_clocks ENABLE ROW LEVEL SECURITY;
ALTER TABLE test_clocks FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON test_clocks USING (account_id = current_setting('app.tenant_id', true)) WITH CHECK (account_id = current_setting('app.tenant_id', true));
CREATE POLICY cross_tenant_lookup ON test_clocks FOR SELECT USING (current_setting('app.lookup.test_clocks', true) = '*');
