-- AlterTable
ALTER TABLE "OrderLedger" ADD COLUMN     "shopOwnerId" TEXT;
