-- AlterTable
ALTER TABLE "Order" ADD COLUMN     "paymentId" TEXT;
