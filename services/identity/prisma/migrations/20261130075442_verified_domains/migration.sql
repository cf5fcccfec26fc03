-- CreateTable
CREATE TABLE "verified_domains" (
    "domain" TEXT NOT NULL,
    "account_id" TEXT NOT NULL,

    CONSTRAINT "verified_domains_pkey" PRIMARY KEY ("domain")
);

-- CreateIndex
CREATE INDEX "verified_domains_account_id_idx" ON "verified_domains"("account_id");
