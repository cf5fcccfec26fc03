-- CreateTable
CREATE TABLE "role_definitions" (
    "account_id" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "permissions" TEXT[],

    CONSTRAINT "role_definitions_pkey" PRIMARY KEY ("account_id","role")
);
