-- When usage closed the period (UsagePeriodClosed): the closer lists only periods not closed yet, so it
-- needs no look-back bound (a period missed for any length of time is still closed, oldest first).
ALTER TABLE "billing_periods" ADD COLUMN "closed_at" TIMESTAMPTZ(3);

CREATE INDEX "billing_periods_open_period_end_idx" ON "billing_periods"("period_end") WHERE "closed_at" IS NULL;
