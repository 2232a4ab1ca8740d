-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "AdProduct" AS ENUM ('ULTRA_CALL', 'OPEN_LIST');

-- CreateEnum
CREATE TYPE "AdCampaignStatus" AS ENUM ('SCHEDULED', 'ACTIVE', 'ENDED');

-- CreateTable
CREATE TABLE "AdCampaign" (
    "id" TEXT NOT NULL,
    "shopId" TEXT NOT NULL,
    "product" "AdProduct" NOT NULL,
    "area" TEXT NOT NULL,
    "startsAt" TIMESTAMP(3) NOT NULL,
    "endsAt" TIMESTAMP(3) NOT NULL,
    "status" "AdCampaignStatus" NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AdCampaign_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "AdCampaign_shopId_idx" ON "AdCampaign"("shopId");

-- CreateIndex
CREATE INDEX "AdCampaign_area_status_idx" ON "AdCampaign"("area", "status");
