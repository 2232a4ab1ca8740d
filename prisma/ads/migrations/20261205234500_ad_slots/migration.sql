-- AlterTable
ALTER TABLE "ShopOwner" ADD COLUMN     "category" TEXT;

-- CreateIndex
CREATE INDEX "ShopOwner_category_idx" ON "ShopOwner"("category");
