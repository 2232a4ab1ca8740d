-- CreateExtension
CREATE EXTENSION IF NOT EXISTS "pg_trgm";

-- AlterTable
ALTER TABLE "MenuItem" ADD COLUMN     "optionGroups" JSONB NOT NULL DEFAULT '[]';

-- CreateTable
CREATE TABLE "OutboxEvent" (
    "seq" BIGSERIAL NOT NULL,
    "id" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "aggregateId" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "occurredAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "relayedAt" TIMESTAMP(3),

    CONSTRAINT "OutboxEvent_pkey" PRIMARY KEY ("seq")
);

-- CreateTable
CREATE TABLE "ProcessedEvent" (
    "consumer" TEXT NOT NULL,
    "eventId" TEXT NOT NULL,
    "processedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ProcessedEvent_pkey" PRIMARY KEY ("consumer","eventId")
);

-- CreateTable
CREATE TABLE "ShopView" (
    "shopId" TEXT NOT NULL,
    "ownerId" TEXT NOT NULL DEFAULT '',
    "name" TEXT NOT NULL DEFAULT '',
    "category" TEXT NOT NULL DEFAULT '',
    "description" TEXT NOT NULL DEFAULT '',
    "minimumOrder" INTEGER NOT NULL DEFAULT 0,
    "deliveryFee" INTEGER NOT NULL DEFAULT 0,
    "deliveryAreas" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "openingHours" JSONB NOT NULL DEFAULT '[]',
    "isOpen" BOOLEAN NOT NULL DEFAULT false,
    "openNow" BOOLEAN NOT NULL DEFAULT false,
    "menu" JSONB NOT NULL DEFAULT '[]',
    "searchText" TEXT NOT NULL DEFAULT '',
    "adPlacements" JSONB NOT NULL DEFAULT '[]',
    "reviewCount" INTEGER NOT NULL DEFAULT 0,
    "ratingSum" INTEGER NOT NULL DEFAULT 0,
    "orderCount" INTEGER NOT NULL DEFAULT 0,
    "infoVersion" INTEGER NOT NULL DEFAULT 0,
    "menuVersion" INTEGER NOT NULL DEFAULT 0,
    "adVersion" INTEGER NOT NULL DEFAULT 0,
    "ratingVersion" INTEGER NOT NULL DEFAULT 0,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ShopView_pkey" PRIMARY KEY ("shopId")
);

-- CreateTable
CREATE TABLE "ShopListing" (
    "area" TEXT NOT NULL,
    "shopId" TEXT NOT NULL,
    "category" TEXT NOT NULL,
    "adRank" INTEGER NOT NULL,
    "closedRank" INTEGER NOT NULL,
    "ratingKey" INTEGER NOT NULL,
    "reviewKey" INTEGER NOT NULL,
    "deliveryFee" INTEGER NOT NULL,
    "minimumOrder" INTEGER NOT NULL,

    CONSTRAINT "ShopListing_pkey" PRIMARY KEY ("area","shopId")
);

-- CreateIndex
CREATE UNIQUE INDEX "OutboxEvent_id_key" ON "OutboxEvent"("id");

-- CreateIndex
CREATE INDEX "OutboxEvent_relayedAt_seq_idx" ON "OutboxEvent"("relayedAt", "seq");

-- CreateIndex
CREATE INDEX "ShopView_searchText_idx" ON "ShopView" USING GIN ("searchText" gin_trgm_ops);

-- CreateIndex
CREATE INDEX "ShopListing_area_adRank_closedRank_ratingKey_reviewKey_shop_idx" ON "ShopListing"("area", "adRank", "closedRank", "ratingKey", "reviewKey", "shopId");

-- CreateIndex
CREATE INDEX "ShopListing_area_category_adRank_closedRank_ratingKey_revie_idx" ON "ShopListing"("area", "category", "adRank", "closedRank", "ratingKey", "reviewKey", "shopId");

-- CreateIndex
CREATE INDEX "ShopListing_area_deliveryFee_shopId_idx" ON "ShopListing"("area", "deliveryFee", "shopId");

-- CreateIndex
CREATE INDEX "ShopListing_area_category_deliveryFee_shopId_idx" ON "ShopListing"("area", "category", "deliveryFee", "shopId");

-- CreateIndex
CREATE INDEX "ShopListing_area_minimumOrder_shopId_idx" ON "ShopListing"("area", "minimumOrder", "shopId");

-- CreateIndex
CREATE INDEX "ShopListing_area_category_minimumOrder_shopId_idx" ON "ShopListing"("area", "category", "minimumOrder", "shopId");

-- CreateIndex
CREATE INDEX "ShopListing_area_ratingKey_reviewKey_shopId_idx" ON "ShopListing"("area", "ratingKey", "reviewKey", "shopId");

-- CreateIndex
CREATE INDEX "ShopListing_area_category_ratingKey_reviewKey_shopId_idx" ON "ShopListing"("area", "category", "ratingKey", "reviewKey", "shopId");
