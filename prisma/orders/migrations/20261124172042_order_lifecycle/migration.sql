-- AlterTable
ALTER TABLE "Order" ADD COLUMN     "estimatedCookingMinutes" INTEGER;

-- AlterTable
ALTER TABLE "OrderLine" ADD COLUMN     "options" JSONB NOT NULL DEFAULT '[]';
