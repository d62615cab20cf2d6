-- CreateEnum
CREATE TYPE "JobStatus" AS ENUM ('queued', 'running', 'completed', 'failed', 'canceled');

-- AlterTable
ALTER TABLE "ApiToken" ADD COLUMN     "webhookSecret" TEXT;

-- CreateTable
CREATE TABLE "Show" (
    "id" UUID NOT NULL,
    "ownerId" UUID NOT NULL,
    "title" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "author" TEXT NOT NULL,
    "ownerName" TEXT NOT NULL,
    "ownerEmail" TEXT NOT NULL,
    "language" TEXT NOT NULL DEFAULT 'en',
    "category" TEXT NOT NULL DEFAULT 'Technology',
    "explicit" BOOLEAN NOT NULL DEFAULT false,
    "artworkKey" TEXT,
    "discordWebhookUrl" TEXT,
    "webhookUrl" TEXT,
    "webhookSecret" TEXT,
    "autoPublish" BOOLEAN NOT NULL DEFAULT false,
    "feedToken" TEXT NOT NULL,
    "podcastGuid" UUID NOT NULL,
    "feedVersion" INTEGER NOT NULL DEFAULT 0,
    "feedUpdatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Show_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Episode" (
    "id" UUID NOT NULL,
    "ownerId" UUID NOT NULL,
    "showId" UUID NOT NULL,
    "runId" UUID NOT NULL,
    "originalName" TEXT NOT NULL,
    "sourceKey" TEXT NOT NULL,
    "sourceMime" TEXT NOT NULL,
    "sourceBytes" BIGINT NOT NULL,
    "sourceSha256" TEXT,
    "ingestKey" TEXT,
    "ingestEtag" TEXT,
    "title" TEXT,
    "summary" TEXT,
    "showNotes" TEXT,
    "keywords" TEXT[],
    "chapters" JSONB,
    "transcript" JSONB,
    "transcriptNote" TEXT,
    "language" TEXT,
    "season" INTEGER,
    "episodeNumber" INTEGER,
    "episodeType" TEXT NOT NULL DEFAULT 'full',
    "explicit" BOOLEAN,
    "durationSec" DOUBLE PRECISION,
    "probe" JSONB,
    "loudness" JSONB,
    "model" TEXT,
    "audioKey" TEXT,
    "audioBytes" BIGINT,
    "files" JSONB,
    "publishedAt" TIMESTAMP(3),
    "notifyError" TEXT,
    "contentVersion" INTEGER NOT NULL DEFAULT 0,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Episode_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Job" (
    "id" UUID NOT NULL,
    "ownerId" UUID NOT NULL,
    "tokenId" UUID,
    "type" TEXT NOT NULL,
    "status" "JobStatus" NOT NULL DEFAULT 'queued',
    "priority" INTEGER NOT NULL,
    "payload" JSONB NOT NULL,
    "result" JSONB,
    "progress" INTEGER NOT NULL DEFAULT 0,
    "errorCode" TEXT,
    "errorMessage" TEXT,
    "errorRetryable" BOOLEAN,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "provider" TEXT,
    "providerNotes" JSONB,
    "inputTokens" INTEGER NOT NULL DEFAULT 0,
    "outputTokens" INTEGER NOT NULL DEFAULT 0,
    "costUsd" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "parentId" UUID,
    "webhookUrl" TEXT,
    "idempotencyKey" TEXT,
    "requestHash" TEXT,
    "version" INTEGER NOT NULL DEFAULT 0,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "startedAt" TIMESTAMP(3),
    "completedAt" TIMESTAMP(3),

    CONSTRAINT "Job_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "WebhookDelivery" (
    "id" UUID NOT NULL,
    "jobId" UUID NOT NULL,
    "messageId" TEXT NOT NULL,
    "attempt" INTEGER NOT NULL,
    "status" INTEGER,
    "ok" BOOLEAN NOT NULL,
    "error" TEXT,
    "durationMs" INTEGER,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "WebhookDelivery_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Show_feedToken_key" ON "Show"("feedToken");

-- CreateIndex
CREATE INDEX "Show_ownerId_createdAt_idx" ON "Show"("ownerId", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "Episode_runId_key" ON "Episode"("runId");

-- CreateIndex
CREATE UNIQUE INDEX "Episode_sourceKey_key" ON "Episode"("sourceKey");

-- CreateIndex
CREATE INDEX "Episode_showId_publishedAt_idx" ON "Episode"("showId", "publishedAt" DESC);

-- CreateIndex
CREATE INDEX "Episode_ownerId_createdAt_idx" ON "Episode"("ownerId", "createdAt" DESC);

-- CreateIndex
CREATE UNIQUE INDEX "Episode_ownerId_ingestKey_ingestEtag_key" ON "Episode"("ownerId", "ingestKey", "ingestEtag");

-- CreateIndex
CREATE INDEX "Job_ownerId_createdAt_idx" ON "Job"("ownerId", "createdAt" DESC);

-- CreateIndex
CREATE INDEX "Job_parentId_idx" ON "Job"("parentId");

-- CreateIndex
CREATE INDEX "Job_status_completedAt_idx" ON "Job"("status", "completedAt");

-- CreateIndex
CREATE UNIQUE INDEX "Job_ownerId_idempotencyKey_key" ON "Job"("ownerId", "idempotencyKey");

-- CreateIndex
CREATE INDEX "WebhookDelivery_jobId_createdAt_idx" ON "WebhookDelivery"("jobId", "createdAt");

-- AddForeignKey
ALTER TABLE "Show" ADD CONSTRAINT "Show_ownerId_fkey" FOREIGN KEY ("ownerId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Episode" ADD CONSTRAINT "Episode_ownerId_fkey" FOREIGN KEY ("ownerId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Episode" ADD CONSTRAINT "Episode_showId_fkey" FOREIGN KEY ("showId") REFERENCES "Show"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Episode" ADD CONSTRAINT "Episode_runId_fkey" FOREIGN KEY ("runId") REFERENCES "WorkflowRun"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Job" ADD CONSTRAINT "Job_ownerId_fkey" FOREIGN KEY ("ownerId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Job" ADD CONSTRAINT "Job_tokenId_fkey" FOREIGN KEY ("tokenId") REFERENCES "ApiToken"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Job" ADD CONSTRAINT "Job_parentId_fkey" FOREIGN KEY ("parentId") REFERENCES "Job"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "WebhookDelivery" ADD CONSTRAINT "WebhookDelivery_jobId_fkey" FOREIGN KEY ("jobId") REFERENCES "Job"("id") ON DELETE CASCADE ON UPDATE CASCADE;
