-- A refund is recorded pending (RefundRequested) with its credit note before the provider is called,
-- then completed (RefundIssued v2 / RefundFailed); the invoice counts what is pending.
ALTER TABLE "invoices" ADD COLUMN "pending_refund_cents" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "invoices" ADD COLUMN "refunds_due_at" TIMESTAMPTZ(3);

ALTER TABLE "refunds" ADD COLUMN "status" TEXT NOT NULL DEFAULT 'succeeded';
ALTER TABLE "refunds" ADD COLUMN "provider_refund_id" TEXT;
ALTER TABLE "refunds" ADD COLUMN "failure_code" TEXT;
ALTER TABLE "refunds" ADD COLUMN "failure_message" TEXT;
ALTER TABLE "refunds" ADD COLUMN "requested_at" TIMESTAMPTZ(3);
-- Refunds made before (RefundIssued v1) were requested and made at once, under the provider's id.
UPDATE "refunds" SET "requested_at" = "refunded_at", "provider_refund_id" = "id";
ALTER TABLE "refunds" ALTER COLUMN "requested_at" SET NOT NULL;
ALTER TABLE "refunds" ALTER COLUMN "status" DROP DEFAULT;
ALTER TABLE "refunds" ALTER COLUMN "refunded_at" DROP NOT NULL;
