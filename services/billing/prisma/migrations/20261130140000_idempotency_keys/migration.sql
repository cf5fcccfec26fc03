-- CreateTable
CREATE TABLE "platform_idempotency_keys" (
    "account_id" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "request_id" TEXT NOT NULL,
    "fingerprint" TEXT NOT NULL,
    "method" TEXT NOT NULL,
    "path" TEXT NOT NULL,
    "response_status" INTEGER,
    "response_headers" JSONB,
    "response_body" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    "locked_until" TIMESTAMPTZ(3),
    "expires_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "platform_idempotency_keys_pkey" PRIMARY KEY ("account_id","key")
);

-- CreateIndex
CREATE INDEX "platform_idempotency_keys_expires_at_idx" ON "platform_idempotency_keys"("expires_at");

-- Tenant table (platform-db tenant:sql --table platform_idempotency_keys --lookup-all): the pruner lists
-- the organizations holding expired keys across tenants (IDEMPOTENCY_KEYS_TABLE in @platform/http).
ALTER TABLE platform_idempotency_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE platform_idempotency_keys FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON platform_idempotency_keys USING (account_id = current_setting('app.tenant_id', true)) WITH CHECK (account_id = current_setting('app.tenant_id', true));
CREATE POLICY cross_tenant_lookup ON platform_idempotency_keys FOR SELECT USING (current_setting('app.lookup.platform_idempotency_keys', true) = '*');
