-- CreateIndex
CREATE INDEX "PaymentRecord_kind_at_idx" ON "PaymentRecord"("kind", "at");
