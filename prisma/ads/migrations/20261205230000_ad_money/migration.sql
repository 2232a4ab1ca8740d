-- AlterTable
ALTER TABLE "AdCampaign" ADD COLUMN     "price" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "priceVersion" INTEGER,
ADD COLUMN     "days" INTEGER;

-- CreateTable
CREATE TABLE "AdPriceTable" (
    "version" INTEGER NOT NULL,
    "effectiveFrom" TIMESTAMP(3) NOT NULL,
    "ultraCallPer30Days" JSONB NOT NULL,
    "openListBasisPoints" INTEGER NOT NULL,
    "openListFloorWon" INTEGER NOT NULL,

    CONSTRAINT "AdPriceTable_pkey" PRIMARY KEY ("version")
);

-- CreateTable
CREATE TABLE "JournalEntry" (
    "id" TEXT NOT NULL,
    "shopId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "campaignId" TEXT,
    "postedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "JournalEntry_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Posting" (
    "seq" BIGSERIAL NOT NULL,
    "entryId" TEXT NOT NULL,
    "account" TEXT NOT NULL,
    "amount" INTEGER NOT NULL,

    CONSTRAINT "Posting_pkey" PRIMARY KEY ("seq")
);

-- CreateTable
CREATE TABLE "AdWallet" (
    "shopId" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AdWallet_pkey" PRIMARY KEY ("shopId")
);

-- CreateIndex
CREATE INDEX "JournalEntry_shopId_postedAt_idx" ON "JournalEntry"("shopId", "postedAt");

-- CreateIndex
CREATE INDEX "JournalEntry_postedAt_idx" ON "JournalEntry"("postedAt");

-- CreateIndex
CREATE INDEX "Posting_account_seq_idx" ON "Posting"("account", "seq");

-- CreateIndex
CREATE INDEX "Posting_entryId_idx" ON "Posting"("entryId");

-- AddForeignKey
ALTER TABLE "Posting" ADD CONSTRAINT "Posting_entryId_fkey" FOREIGN KEY ("entryId") REFERENCES "JournalEntry"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- The first price table: ULTRA_CALL won per area for 30 days; OPEN_LIST 6.8% of the items total, at least 300 won.
INSERT INTO "AdPriceTable" ("version", "effectiveFrom", "ultraCallPer30Days", "openListBasisPoints", "openListFloorWon")
VALUES (1, '2026-01-01T00:00:00Z', '{"GANGNAM": 300000, "SEOCHO": 270000, "SONGPA": 240000, "MAPO": 210000, "JONGNO": 180000}', 680, 300);
