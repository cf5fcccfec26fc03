-- CreateTable
CREATE TABLE "seat_limits" (
    "account_id" TEXT NOT NULL,
    "seat_limit" INTEGER NOT NULL,
    "plan" TEXT NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "seat_limits_pkey" PRIMARY KEY ("account_id")
);
