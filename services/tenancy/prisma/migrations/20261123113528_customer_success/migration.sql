-- CreateTable
CREATE TABLE "tickets" (
    "id" TEXT NOT NULL,
    "account_id" TEXT NOT NULL,
    "subject" TEXT NOT NULL,
    "description" TEXT,
    "priority" TEXT NOT NULL,
    "category" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "assignee_id" TEXT,
    "requester_user_id" TEXT,
    "triage_rule" TEXT,
    "opened_at" TIMESTAMPTZ(3) NOT NULL,
    "first_response_due_at" TIMESTAMPTZ(3) NOT NULL,
    "resolution_due_at" TIMESTAMPTZ(3) NOT NULL,
    "first_responded_at" TIMESTAMPTZ(3),
    "resolved_at" TIMESTAMPTZ(3),
    "alerts_sent" TEXT[] DEFAULT ARRAY[]::TEXT[],

    CONSTRAINT "tickets_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "health_signals" (
    "account_id" TEXT NOT NULL,
    "signals" JSONB NOT NULL,
    "score" INTEGER,
    "factors" JSONB,
    "calculated_at" TIMESTAMPTZ(3),

    CONSTRAINT "health_signals_pkey" PRIMARY KEY ("account_id")
);

-- CreateTable
CREATE TABLE "rep_assignments" (
    "account_id" TEXT NOT NULL,
    "rep_id" TEXT NOT NULL,
    "rule_id" TEXT NOT NULL,
    "assigned_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "rep_assignments_pkey" PRIMARY KEY ("account_id")
);

-- CreateTable
CREATE TABLE "rep_cursors" (
    "rule_id" TEXT NOT NULL,
    "cursor" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "rep_cursors_pkey" PRIMARY KEY ("rule_id")
);

-- CreateTable
CREATE TABLE "verified_domains" (
    "domain" TEXT NOT NULL,
    "account_id" TEXT NOT NULL,
    "auto_join" BOOLEAN NOT NULL,

    CONSTRAINT "verified_domains_pkey" PRIMARY KEY ("domain")
);

-- CreateIndex
CREATE INDEX "tickets_account_id_status_idx" ON "tickets"("account_id", "status");

-- Row-level security for the new tenant tables, as in the row_level_security migration.
DO $$
DECLARE
  tenant_table text;
BEGIN
  FOREACH tenant_table IN ARRAY ARRAY['tickets', 'health_signals', 'rep_assignments']
  LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', tenant_table);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', tenant_table);
    EXECUTE format(
      'CREATE POLICY tenant_isolation ON %I USING (account_id = current_setting(''app.tenant_id'', true)) '
      'WITH CHECK (account_id = current_setting(''app.tenant_id'', true))',
      tenant_table
    );
  END LOOP;
END
$$;
