-- AlterTable
ALTER TABLE "OutboxEvent" ADD COLUMN     "correlationId" TEXT,
ADD COLUMN     "trace" TEXT;
