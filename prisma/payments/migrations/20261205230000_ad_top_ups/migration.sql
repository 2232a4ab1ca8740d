-- CreateEnum
CREATE TYPE "AdTopUpStatus" AS ENUM ('PENDING', 'APPROVED', 'DECLINED', 'FAILED');

-- CreateTable
CREATE TABLE "AdTopUp" (
    "id" TEXT NOT NULL,
    "shopId" TEXT NOT NULL,
    "ownerId" TEXT NOT NULL,
    "amount" INTEGER NOT NULL,
    "idempotencyKey" TEXT NOT NULL,
    "status" "AdTopUpStatus" NOT NULL,
    "provider" TEXT,
    "providerTransactionId" TEXT,
    "declineReason" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AdTopUp_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ShopOwner" (
    "shopId" TEXT NOT NULL,
    "ownerId" TEXT NOT NULL,
    "version" INTEGER NOT NULL,

    CONSTRAINT "ShopOwner_pkey" PRIMARY KEY ("shopId")
);

-- CreateIndex
CREATE UNIQUE INDEX "AdTopUp_ownerId_idempotencyKey_key" ON "AdTopUp"("ownerId", "idempotencyKey");

-- CreateIndex
CREATE INDEX "AdTopUp_status_createdAt_idx" ON "AdTopUp"("status", "createdAt");
