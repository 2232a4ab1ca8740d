-- CreateIndex
CREATE INDEX "ShopReplica_ownerId_idx" ON "ShopReplica"("ownerId");
