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
    "aggregate_id" TEXT NOT NULL,
    "version" INTEGER NOT NULL,

    CONSTRAINT "platform_applied_versions_pkey" PRIMARY KEY ("consumer_group","aggregate_id")
);

-- CreateTable
CREATE TABLE "organizations" (
    "account_id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT,
    "url" TEXT,
    "email" TEXT,
    "telephone" TEXT,
    "number_of_employees" INTEGER,
    "founding_date" DATE,
    "industry" TEXT,
    "address" JSONB,
    "settings" JSONB NOT NULL,
    "status" TEXT NOT NULL,
    "created_by" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    "onboarding_done" TEXT[] DEFAULT ARRAY[]::TEXT[],

    CONSTRAINT "organizations_pkey" PRIMARY KEY ("account_id")
);

-- CreateTable
CREATE TABLE "groups" (
    "id" TEXT NOT NULL,
    "account_id" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "parent_group_id" TEXT NOT NULL,
    "ancestor_ids" TEXT[],
    "allowed_roles" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "default_role" TEXT,
    "archived_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "groups_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "memberships" (
    "account_id" TEXT NOT NULL,
    "group_id" TEXT NOT NULL,
    "user_id" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "memberships_pkey" PRIMARY KEY ("group_id","user_id")
);

-- CreateTable
CREATE TABLE "invitations" (
    "id" TEXT NOT NULL,
    "account_id" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "group_id" TEXT,
    "token_hash" TEXT NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "status" TEXT NOT NULL,
    "send_count" INTEGER NOT NULL DEFAULT 1,
    "invited_by" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "invitations_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "domains" (
    "id" TEXT NOT NULL,
    "account_id" TEXT NOT NULL,
    "domain" TEXT NOT NULL,
    "txt_value" TEXT NOT NULL,
    "auto_join" BOOLEAN NOT NULL DEFAULT false,
    "verified_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "domains_pkey" PRIMARY KEY ("id")
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
CREATE TABLE "account_traits" (
    "account_id" TEXT NOT NULL,
    "name" TEXT,
    "status" TEXT,
    "created_at" TIMESTAMPTZ(3),
    "employee_count" INTEGER,
    "industry" TEXT,
    "number_of_users" INTEGER NOT NULL DEFAULT 0,
    "plan" TEXT,
    "mrr_cents" BIGINT,
    "billing_cycle" TEXT,
    "support_level" TEXT,
    "seat_limit" INTEGER,

    CONSTRAINT "account_traits_pkey" PRIMARY KEY ("account_id")
);

-- CreateTable
CREATE TABLE "people" (
    "user_id" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "email_verified_at" TIMESTAMPTZ(3),

    CONSTRAINT "people_pkey" PRIMARY KEY ("user_id")
);

-- CreateTable
CREATE TABLE "outbound_emails" (
    "id" TEXT NOT NULL,
    "recipient" TEXT NOT NULL,
    "template" TEXT NOT NULL,
    "variables" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "sent_at" TIMESTAMPTZ(3),

    CONSTRAINT "outbound_emails_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "organization_creators" (
    "user_id" TEXT NOT NULL,
    "account_id" TEXT NOT NULL,

    CONSTRAINT "organization_creators_pkey" PRIMARY KEY ("user_id","account_id")
);

-- CreateIndex
CREATE UNIQUE INDEX "platform_events_event_id_key" ON "platform_events"("event_id");

-- CreateIndex
CREATE INDEX "platform_events_published_at_position_idx" ON "platform_events"("published_at", "position");

-- CreateIndex
CREATE UNIQUE INDEX "platform_events_aggregate_id_version_key" ON "platform_events"("aggregate_id", "version");

-- CreateIndex
CREATE INDEX "groups_account_id_parent_group_id_idx" ON "groups"("account_id", "parent_group_id");

-- CreateIndex
CREATE INDEX "memberships_account_id_user_id_idx" ON "memberships"("account_id", "user_id");

-- CreateIndex
CREATE INDEX "invitations_account_id_status_idx" ON "invitations"("account_id", "status");

-- CreateIndex
CREATE UNIQUE INDEX "domains_account_id_domain_key" ON "domains"("account_id", "domain");

-- CreateIndex
CREATE UNIQUE INDEX "people_email_key" ON "people"("email");
