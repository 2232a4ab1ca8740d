-- DropIndex
DROP INDEX "Payment_customerId_idx";
