-- CreateTable
CREATE TABLE "AreaCategoryCount" (
    "area" TEXT NOT NULL,
    "category" TEXT NOT NULL,
    "shopCount" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "AreaCategoryCount_pkey" PRIMARY KEY ("area","category")
);

-- Kept by the database rather than by each writer: the projection, a rebuild
-- and fixtures all write ShopListing. One statement-level upsert per write,
-- in (area, category) order, so concurrent projections lock counters in the
-- same order.
CREATE FUNCTION "count_area_categories"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO "AreaCategoryCount" ("area", "category", "shopCount")
      SELECT "area", "category", count(*) FROM new_rows GROUP BY 1, 2 ORDER BY 1, 2
    ON CONFLICT ("area", "category") DO UPDATE SET "shopCount" = "AreaCategoryCount"."shopCount" + EXCLUDED."shopCount";
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO "AreaCategoryCount" ("area", "category", "shopCount")
      SELECT "area", "category", -count(*) FROM old_rows GROUP BY 1, 2 ORDER BY 1, 2
    ON CONFLICT ("area", "category") DO UPDATE SET "shopCount" = "AreaCategoryCount"."shopCount" + EXCLUDED."shopCount";
  ELSE
    INSERT INTO "AreaCategoryCount" ("area", "category", "shopCount")
      SELECT "area", "category", sum(n) FROM (
        SELECT "area", "category", 1 AS n FROM new_rows
        UNION ALL SELECT "area", "category", -1 FROM old_rows
      ) AS changes GROUP BY 1, 2 HAVING sum(n) <> 0 ORDER BY 1, 2
    ON CONFLICT ("area", "category") DO UPDATE SET "shopCount" = "AreaCategoryCount"."shopCount" + EXCLUDED."shopCount";
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER "ShopListing_counted_insert" AFTER INSERT ON "ShopListing"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "count_area_categories"();
CREATE TRIGGER "ShopListing_counted_delete" AFTER DELETE ON "ShopListing"
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "count_area_categories"();
CREATE TRIGGER "ShopListing_counted_update" AFTER UPDATE ON "ShopListing"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "count_area_categories"();

-- Databases migrated before this one already have listings.
INSERT INTO "AreaCategoryCount" ("area", "category", "shopCount")
  SELECT "area", "category", count(*) FROM "ShopListing" GROUP BY 1, 2;
