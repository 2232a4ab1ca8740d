-- AlterTable
ALTER TABLE "ShopView" ADD COLUMN     "nameGrams" TEXT[] DEFAULT ARRAY[]::TEXT[];

-- CreateIndex
CREATE INDEX "ShopView_nameGrams_idx" ON "ShopView" USING GIN ("nameGrams");

-- CreateIndex
CREATE INDEX "ShopView_reviewCount_shopId_idx" ON "ShopView"("reviewCount" DESC, "shopId");

-- The name's pieces are kept by the trigger that keeps the text's, on a change
-- of either (the text holds the name, but a writer may set the name alone).
CREATE OR REPLACE FUNCTION "keep_search_grams"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW."searchGrams" := "search_bigrams"(NEW."searchText");
  NEW."nameGrams" := "search_bigrams"(NEW."name");
  RETURN NEW;
END;
$$;

DROP TRIGGER "ShopView_searchGrams" ON "ShopView";
CREATE TRIGGER "ShopView_searchGrams"
  BEFORE INSERT OR UPDATE OF "searchText", "name" ON "ShopView"
  FOR EACH ROW EXECUTE FUNCTION "keep_search_grams"();

-- As searchGrams' index: straight into the index, not a pending list the planner prices high.
ALTER INDEX "ShopView_nameGrams_idx" SET (fastupdate = off);

UPDATE "ShopView" SET "nameGrams" = "search_bigrams"("name");
