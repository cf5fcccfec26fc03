-- health_signals mixed two things no one rebuild could restore (issue #10): the raw facts of identity's
-- and billing's events, gathered by the processes consumer, and the score of HealthScoreCalculated. The
-- facts become a read model of those topics (health_facts), the score an inline projection of the
-- `health:${account_id}` aggregate (health_scores).

-- CreateTable
CREATE TABLE "health_facts" (
    "account_id" TEXT NOT NULL,
    "sign_ins" JSONB NOT NULL DEFAULT '{}',
    "payment_failures" JSONB NOT NULL DEFAULT '[]',
    "suspended_at" TIMESTAMPTZ(3),
    "invoice_paid_at" TIMESTAMPTZ(3),

    CONSTRAINT "health_facts_pkey" PRIMARY KEY ("account_id")
);

-- CreateTable
CREATE TABLE "health_scores" (
    "account_id" TEXT NOT NULL,
    "score" INTEGER NOT NULL,
    "factors" JSONB NOT NULL,
    "calculated_at" TIMESTAMPTZ(3) NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "health_scores_pkey" PRIMARY KEY ("account_id")
);

-- Tenant by tenant (row-level security is forced on health_signals). The scores are what the inline
-- handler writes: the last HealthScoreCalculated of each aggregate, at the aggregate's version. The old
-- facts kept no time for "overdue": it becomes a suspension now, until the next InvoicePaid (a rebuild
-- of the read models gives the exact times back from billing's topic).
DO $$
DECLARE tenant text;
BEGIN
  FOR tenant IN SELECT DISTINCT tenant_id FROM platform_events WHERE tenant_id IS NOT NULL LOOP
    PERFORM set_config('app.tenant_id', tenant, true);
    INSERT INTO health_facts (account_id, sign_ins, payment_failures, suspended_at)
      SELECT account_id, coalesce(signals -> 'signIns', '{}'), coalesce(signals -> 'paymentFailures', '[]'),
             CASE WHEN (signals ->> 'overdue')::boolean THEN now() END
      FROM health_signals WHERE account_id = tenant;
    INSERT INTO health_scores (account_id, score, factors, calculated_at, version)
      SELECT DISTINCT ON (e.aggregate_id) e.tenant_id, (e.payload ->> 'score')::int, e.payload -> 'factors',
             e.occurred_at,
             (SELECT max(v.version) FROM platform_events v WHERE v.aggregate_id = e.aggregate_id)
      FROM platform_events e
      WHERE e.aggregate_id = 'health:' || tenant AND e.event_type = 'platform.tenancy.HealthScoreCalculated'
      ORDER BY e.aggregate_id, e.version DESC;
  END LOOP;
END $$;

-- DropTable
DROP TABLE "health_signals";

-- Tenant tables (platform-db tenant:sql --table health_facts / health_scores).
ALTER TABLE health_facts ENABLE ROW LEVEL SECURITY;
ALTER TABLE health_facts FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON health_facts USING (account_id = current_setting('app.tenant_id', true)) WITH CHECK (account_id = current_setting('app.tenant_id', true));
ALTER TABLE health_scores ENABLE ROW LEVEL SECURITY;
ALTER TABLE health_scores FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON health_scores USING (account_id = current_setting('app.tenant_id', true)) WITH CHECK (account_id = current_setting('app.tenant_id', true));
