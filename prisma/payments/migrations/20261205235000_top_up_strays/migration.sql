-- AlterTable
ALTER TABLE "AdTopUp" ADD COLUMN     "unansweredProviders" TEXT[] DEFAULT ARRAY[]::TEXT[],
ADD COLUMN     "straysCheckedAt" TIMESTAMP(3);
