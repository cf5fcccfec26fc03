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
CREATE TABLE "subscriptions" (
    "id" TEXT NOT NULL,
    "account_id" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "plan_id" TEXT NOT NULL,
    "plan_version" INTEGER NOT NULL,
    "interval" TEXT NOT NULL,
    "plan" JSONB NOT NULL,
    "mrr_cents" INTEGER NOT NULL,
    "trial_end" TIMESTAMPTZ(3),
    "trial_reminder_sent" BOOLEAN NOT NULL,
    "billing_anchor" TIMESTAMPTZ(3) NOT NULL,
    "current_period_start" TIMESTAMPTZ(3) NOT NULL,
    "current_period_end" TIMESTAMPTZ(3) NOT NULL,
    "scheduled_plan" JSONB,
    "payment_method_id" TEXT,
    "past_due_since" TIMESTAMPTZ(3),
    "ends_at" TIMESTAMPTZ(3),
    "next_due_at" TIMESTAMPTZ(3),
    "version" INTEGER NOT NULL,

    CONSTRAINT "subscriptions_pkey" PRIMARY KEY ("id")
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
CREATE UNIQUE INDEX "subscriptions_account_id_key" ON "subscriptions"("account_id");

-- CreateIndex
CREATE INDEX "subscriptions_next_due_at_idx" ON "subscriptions"("next_due_at");

-- Tenant tables (packages/database, "Tenant tables"): forced row-level security and the tenant policy,
-- from `platform-db tenant:sql`. subscriptions and role_definitions are also read whole by one declared
-- reader each (CROSS_TENANT in src/app/tenant.ts: the scheduler's due list, the verifier's roles at start).
ALTER TABLE subscriptions ENABLE ROW LEVEL SECURITY;
ALTER TABLE subscriptions FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON subscriptions USING (account_id = current_setting('app.tenant_id', true)) WITH CHECK (account_id = current_setting('app.tenant_id', true));
CREATE POLICY cross_tenant_lookup ON subscriptions FOR SELECT USING (current_setting('app.lookup.subscriptions', true) = '*');
ALTER TABLE closed_accounts ENABLE ROW LEVEL SECURITY;
ALTER TABLE closed_accounts FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON closed_accounts USING (account_id = current_setting('app.tenant_id', true)) WITH CHECK (account_id = current_setting('app.tenant_id', true));
ALTER TABLE role_definitions ENABLE ROW LEVEL SECURITY;
ALTER TABLE role_definitions FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON role_definitions USING (account_id = current_setting('app.tenant_id', true)) WITH CHECK (account_id = current_setting('app.tenant_id', true));
CREATE POLICY cross_tenant_lookup ON role_definitions FOR SELECT USING (current_setting('app.lookup.role_definitions', true) = '*');
