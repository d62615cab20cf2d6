-- DropIndex
DROP INDEX "Media_analysisSha_idx";

-- CreateIndex
CREATE INDEX "Media_analysisSha_ownerId_idx" ON "Media"("analysisSha", "ownerId");
