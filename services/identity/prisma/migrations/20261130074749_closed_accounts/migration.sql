-- CreateTable
CREATE TABLE "closed_accounts" (
    "account_id" TEXT NOT NULL,
    "closed_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "closed_accounts_pkey" PRIMARY KEY ("account_id")
);
