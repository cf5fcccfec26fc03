-- CreateTable
CREATE TABLE "role_definitions" (
    "account_id" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "permissions" TEXT[],
    "description" TEXT,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "role_definitions_pkey" PRIMARY KEY ("account_id","role")
);
