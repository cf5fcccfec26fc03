-- AlterTable
ALTER TABLE "account_access" ADD COLUMN     "user_name" TEXT;

-- CreateIndex
CREATE UNIQUE INDEX "account_access_account_id_user_name_key" ON "account_access"("account_id", "user_name");
