-- CreateIndex
CREATE INDEX "ShopListing_shopId_idx" ON "ShopListing"("shopId");
