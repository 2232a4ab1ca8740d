-- AlterTable
ALTER TABLE "Order" ADD COLUMN     "flag" TEXT;
