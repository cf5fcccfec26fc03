-- AlterTable
ALTER TABLE "groups" ADD COLUMN     "directory_member_ids" TEXT[] DEFAULT ARRAY[]::TEXT[];
