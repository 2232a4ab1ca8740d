-- AlterTable
ALTER TABLE "ShopView" ADD COLUMN     "searchGrams" TEXT[] DEFAULT ARRAY[]::TEXT[];

-- CreateIndex
CREATE INDEX "ShopView_searchGrams_idx" ON "ShopView" USING GIN ("searchGrams");

-- The distinct two-character pieces of a text, lowercased. A search for a word
-- needs every piece of the word among the shop's (then ILIKE checks the word):
-- the trigram index cannot serve words of two characters, most Korean dish
-- names. The search query uses the same function for the word it looks for.
CREATE FUNCTION "search_bigrams"(t TEXT) RETURNS TEXT[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT coalesce(array_agg(DISTINCT substr(lower(t), i, 2)), ARRAY[]::TEXT[])
  FROM generate_series(1, length(t) - 1) AS i
$$;

-- Kept by the database, so every writer of searchText (the projection, a
-- rebuild, fixtures) keeps the pieces right.
CREATE FUNCTION "keep_search_grams"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW."searchGrams" := "search_bigrams"(NEW."searchText");
  RETURN NEW;
END;
$$;

CREATE TRIGGER "ShopView_searchGrams"
  BEFORE INSERT OR UPDATE OF "searchText" ON "ShopView"
  FOR EACH ROW EXECUTE FUNCTION "keep_search_grams"();

-- Straight into the index rather than a pending list: while GIN's pending list
-- is long, the planner prices the index above a sequential scan.
ALTER INDEX "ShopView_searchGrams_idx" SET (fastupdate = off);

UPDATE "ShopView" SET "searchGrams" = "search_bigrams"("searchText");
