-- AlterTable
ALTER TABLE "AdWallet" ADD COLUMN     "belowZero" BOOLEAN NOT NULL DEFAULT false;

-- CreateTable
CREATE TABLE "OrderFee" (
    "orderId" TEXT NOT NULL,
    "shopId" TEXT,
    "refunded" BOOLEAN NOT NULL DEFAULT false,

    CONSTRAINT "OrderFee_pkey" PRIMARY KEY ("orderId")
);
