-- CreateTable
CREATE TABLE "organization_profiles" (
    "account_id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "email" TEXT,
    "telephone" TEXT,
    "url" TEXT,
    "street_address" TEXT,
    "locality" TEXT,
    "region" TEXT,
    "postal_code" TEXT,
    "country" TEXT,
    "timezone" TEXT NOT NULL,
    "currency" TEXT NOT NULL,
    "language" TEXT NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "organization_profiles_pkey" PRIMARY KEY ("account_id")
);

-- Tenant table (platform-db tenant:sql --table organization_profiles).
ALTER TABLE organization_profiles ENABLE ROW LEVEL SECURITY;
ALTER TABLE organization_profiles FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON organization_profiles USING (account_id = current_setting('app.tenant_id', true)) WITH CHECK (account_id = current_setting('app.tenant_id', true));
