-- AlterTable
ALTER TABLE "CouponCampaign" ADD COLUMN     "issued" INTEGER NOT NULL DEFAULT 0;

-- The claims already persisted count as issued.
UPDATE "CouponCampaign" c SET "issued" = (SELECT count(*) FROM "CouponClaim" WHERE "campaignId" = c."id");
