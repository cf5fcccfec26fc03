-- CreateTable
CREATE TABLE "platform_events" (
    "position" BIGSERIAL NOT NULL,
    "event_id" UUID NOT NULL,
    "aggregate_type" TEXT NOT NULL,
    "aggregate_id" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "event_type" TEXT NOT NULL,
    "tenant_id" TEXT,
    "payload" JSONB NOT NULL,
    "metadata" JSONB NOT NULL,
    "occurred_at" TIMESTAMPTZ(3) NOT NULL,
    "published_at" TIMESTAMPTZ(3),

    CONSTRAINT "platform_events_pkey" PRIMARY KEY ("position")
);

-- CreateTable
CREATE TABLE "platform_consumer_offsets" (
    "consumer_group" TEXT NOT NULL,
    "topic" TEXT NOT NULL,
    "partition" INTEGER NOT NULL,
    "next_offset" BIGINT NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "platform_consumer_offsets_pkey" PRIMARY KEY ("consumer_group","topic","partition")
);

-- CreateTable
CREATE TABLE "platform_applied_versions" (
    "consumer_group" TEXT NOT NULL,
    "topic" TEXT NOT NULL,
    "aggregate_id" TEXT NOT NULL,
    "version" INTEGER NOT NULL,

    CONSTRAINT "platform_applied_versions_pkey" PRIMARY KEY ("consumer_group","topic","aggregate_id")
);

-- CreateTable
CREATE TABLE "usage_events" (
    "account_id" TEXT NOT NULL,
    "idempotency_key" TEXT NOT NULL,
    "metric" TEXT NOT NULL,
    "quantity" BIGINT NOT NULL,
    "occurred_at" TIMESTAMPTZ(3) NOT NULL,
    "dimensions" JSONB NOT NULL,
    "fingerprint" TEXT NOT NULL,
    "counted" BOOLEAN NOT NULL,

    CONSTRAINT "usage_events_pkey" PRIMARY KEY ("account_id","idempotency_key")
);

-- CreateTable
CREATE TABLE "billing_periods" (
    "account_id" TEXT NOT NULL,
    "period_start" TIMESTAMPTZ(3) NOT NULL,
    "period_end" TIMESTAMPTZ(3) NOT NULL,
    "subscription_id" TEXT NOT NULL,
    "plan_id" TEXT NOT NULL,
    "limits" JSONB NOT NULL,

    CONSTRAINT "billing_periods_pkey" PRIMARY KEY ("account_id","period_start")
);

-- CreateTable
CREATE TABLE "closed_periods" (
    "account_id" TEXT NOT NULL,
    "period_start" TIMESTAMPTZ(3) NOT NULL,
    "period_end" TIMESTAMPTZ(3) NOT NULL,
    "subscription_id" TEXT NOT NULL,
    "totals" JSONB NOT NULL,
    "limits" JSONB NOT NULL,
    "applied_offsets" JSONB NOT NULL,
    "closed_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "closed_periods_pkey" PRIMARY KEY ("account_id","period_start")
);

-- CreateTable
CREATE TABLE "members" (
    "account_id" TEXT NOT NULL,
    "group_id" TEXT NOT NULL,
    "user_id" TEXT NOT NULL,

    CONSTRAINT "members_pkey" PRIMARY KEY ("account_id","group_id","user_id")
);

-- CreateTable
CREATE TABLE "projects" (
    "account_id" TEXT NOT NULL,
    "group_id" TEXT NOT NULL,

    CONSTRAINT "projects_pkey" PRIMARY KEY ("account_id","group_id")
);

-- CreateTable
CREATE TABLE "closed_accounts" (
    "account_id" TEXT NOT NULL,
    "closed_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "closed_accounts_pkey" PRIMARY KEY ("account_id")
);

-- CreateTable
CREATE TABLE "trusted_keys" (
    "kid" TEXT NOT NULL,
    "jwk" JSONB NOT NULL,
    "not_before" TIMESTAMPTZ(3),
    "retired_at" TIMESTAMPTZ(3),

    CONSTRAINT "trusted_keys_pkey" PRIMARY KEY ("kid")
);

-- CreateTable
CREATE TABLE "role_definitions" (
    "account_id" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "permissions" TEXT[],

    CONSTRAINT "role_definitions_pkey" PRIMARY KEY ("account_id","role")
);

-- CreateIndex
CREATE UNIQUE INDEX "platform_events_event_id_key" ON "platform_events"("event_id");

-- CreateIndex
CREATE INDEX "platform_events_published_at_position_idx" ON "platform_events"("published_at", "position");

-- CreateIndex
CREATE UNIQUE INDEX "platform_events_aggregate_id_version_key" ON "platform_events"("aggregate_id", "version");

-- CreateIndex
CREATE INDEX "usage_events_account_id_metric_occurred_at_idx" ON "usage_events"("account_id", "metric", "occurred_at");

-- CreateIndex
CREATE INDEX "billing_periods_period_end_idx" ON "billing_periods"("period_end");

-- Tenant tables (packages/database, "Tenant tables"): forced row-level security and the tenant policy,
-- from `platform-db tenant:sql`. billing_periods and role_definitions are also read whole by one declared
-- reader each (CROSS_TENANT in src/app/tenant.ts: the period closer's due list, the verifier's roles at start).
ALTER TABLE usage_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE usage_events FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON usage_events USING (account_id = current_setting('app.tenant_id', true)) WITH CHECK (account_id = current_setting('app.tenant_id', true));
ALTER TABLE closed_periods ENABLE ROW LEVEL SECURITY;
ALTER TABLE closed_periods FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON closed_periods USING (account_id = current_setting('app.tenant_id', true)) WITH CHECK (account_id = current_setting('app.tenant_id', true));
ALTER TABLE members ENABLE ROW LEVEL SECURITY;
ALTER TABLE members FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON members USING (account_id = current_setting('app.tenant_id', true)) WITH CHECK (account_id = current_setting('app.tenant_id', true));
ALTER TABLE projects ENABLE ROW LEVEL SECURITY;
ALTER TABLE projects FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON projects USING (account_id = current_setting('app.tenant_id', true)) WITH CHECK (account_id = current_setting('app.tenant_id', true));
ALTER TABLE closed_accounts ENABLE ROW LEVEL SECURITY;
ALTER TABLE closed_accounts FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON closed_accounts USING (account_id = current_setting('app.tenant_id', true)) WITH CHECK (account_id = current_setting('app.tenant_id', true));
ALTER TABLE billing_periods ENABLE ROW LEVEL SECURITY;
ALTER TABLE billing_periods FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON billing_periods USING (account_id = current_setting('app.tenant_id', true)) WITH CHECK (account_id = current_setting('app.tenant_id', true));
CREATE POLICY cross_tenant_lookup ON billing_periods FOR SELECT USING (current_setting('app.lookup.billing_periods', true) = '*');
ALTER TABLE role_definitions ENABLE ROW LEVEL SECURITY;
ALTER TABLE role_definitions FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON role_definitions USING (account_id = current_setting('app.tenant_id', true)) WITH CHECK (account_id = current_setting('app.tenant_id', true));
CREATE POLICY cross_tenant_lookup ON role_definitions FOR SELECT USING (current_setting('app.lookup.role_definitions', true) = '*');
