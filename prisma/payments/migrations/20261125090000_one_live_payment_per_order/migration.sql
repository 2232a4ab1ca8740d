-- One live payment per order (pending, approved, or refunded after approval): the
-- index refuses a second one, so payOrder needs no lock or check before writing
-- its payment. Prisma's schema language cannot state a partial index, so it
-- lives here only (see the note on Payment in schema.prisma).
CREATE UNIQUE INDEX "Payment_orderId_live_key" ON "Payment"("orderId") WHERE "status" IN ('PENDING', 'APPROVED', 'REFUNDED');
