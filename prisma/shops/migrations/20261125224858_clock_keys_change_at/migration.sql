-- AlterTable
ALTER TABLE "ShopView" ADD COLUMN     "keysChangeAt" TIMESTAMP(3) DEFAULT CURRENT_TIMESTAMP;

-- CreateIndex
CREATE INDEX "ShopView_keysChangeAt_idx" ON "ShopView"("keysChangeAt");
