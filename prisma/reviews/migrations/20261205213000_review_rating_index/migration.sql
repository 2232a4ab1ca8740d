-- CreateIndex
CREATE INDEX "Review_shopId_rating_createdAt_idx" ON "Review"("shopId", "rating", "createdAt");
