-- CreateEnum
CREATE TYPE "WorkflowRunStatus" AS ENUM ('running', 'waiting', 'completed', 'failed');

-- CreateEnum
CREATE TYPE "WorkflowStepStatus" AS ENUM ('pending', 'queued', 'running', 'retrying', 'succeeded', 'failed');

-- CreateTable
CREATE TABLE "WorkflowRun" (
    "id" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "ownerId" UUID NOT NULL,
    "status" "WorkflowRunStatus" NOT NULL DEFAULT 'running',
    "phase" TEXT NOT NULL,
    "step" TEXT NOT NULL,
    "generation" INTEGER NOT NULL DEFAULT 0,
    "autoProgressSteps" BOOLEAN NOT NULL,
    "autoProgressPhases" BOOLEAN NOT NULL,
    "input" JSONB NOT NULL,
    "error" TEXT,
    "version" INTEGER NOT NULL DEFAULT 0,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "completedAt" TIMESTAMP(3),

    CONSTRAINT "WorkflowRun_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "WorkflowStep" (
    "id" UUID NOT NULL,
    "runId" UUID NOT NULL,
    "phase" TEXT NOT NULL,
    "step" TEXT NOT NULL,
    "position" INTEGER NOT NULL,
    "status" "WorkflowStepStatus" NOT NULL DEFAULT 'pending',
    "generation" INTEGER NOT NULL DEFAULT 0,
    "input" JSONB,
    "output" JSONB,
    "checkpoint" JSONB,
    "progress" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "note" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "error" TEXT,
    "queuedAt" TIMESTAMP(3),
    "startedAt" TIMESTAMP(3),
    "finishedAt" TIMESTAMP(3),
    "durationMs" INTEGER,

    CONSTRAINT "WorkflowStep_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "WorkflowStepAttempt" (
    "id" UUID NOT NULL,
    "stepId" UUID NOT NULL,
    "number" INTEGER NOT NULL,
    "generation" INTEGER NOT NULL,
    "worker" TEXT NOT NULL,
    "outcome" TEXT NOT NULL,
    "error" TEXT,
    "startedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" TIMESTAMP(3),
    "durationMs" INTEGER,

    CONSTRAINT "WorkflowStepAttempt_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Vlog" (
    "id" UUID NOT NULL,
    "ownerId" UUID NOT NULL,
    "runId" UUID NOT NULL,
    "title" TEXT,
    "style" TEXT NOT NULL,
    "resolution" TEXT NOT NULL,
    "mediaIds" TEXT[],
    "storyboard" JSONB,
    "storyboardVersion" INTEGER NOT NULL DEFAULT 0,
    "videoKey" TEXT,
    "posterKey" TEXT,
    "durationSec" DOUBLE PRECISION,
    "width" INTEGER,
    "height" INTEGER,
    "bytes" INTEGER,
    "renderer" TEXT,
    "shareToken" TEXT,
    "sharedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Vlog_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "WorkflowRun_ownerId_createdAt_idx" ON "WorkflowRun"("ownerId", "createdAt" DESC);

-- CreateIndex
CREATE INDEX "WorkflowRun_status_idx" ON "WorkflowRun"("status");

-- CreateIndex
CREATE INDEX "WorkflowStep_runId_position_idx" ON "WorkflowStep"("runId", "position");

-- CreateIndex
CREATE UNIQUE INDEX "WorkflowStep_runId_phase_step_key" ON "WorkflowStep"("runId", "phase", "step");

-- CreateIndex
CREATE INDEX "WorkflowStepAttempt_stepId_number_idx" ON "WorkflowStepAttempt"("stepId", "number");

-- CreateIndex
CREATE UNIQUE INDEX "Vlog_runId_key" ON "Vlog"("runId");

-- CreateIndex
CREATE UNIQUE INDEX "Vlog_shareToken_key" ON "Vlog"("shareToken");

-- CreateIndex
CREATE INDEX "Vlog_ownerId_createdAt_idx" ON "Vlog"("ownerId", "createdAt" DESC);

-- AddForeignKey
ALTER TABLE "WorkflowRun" ADD CONSTRAINT "WorkflowRun_ownerId_fkey" FOREIGN KEY ("ownerId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "WorkflowStep" ADD CONSTRAINT "WorkflowStep_runId_fkey" FOREIGN KEY ("runId") REFERENCES "WorkflowRun"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "WorkflowStepAttempt" ADD CONSTRAINT "WorkflowStepAttempt_stepId_fkey" FOREIGN KEY ("stepId") REFERENCES "WorkflowStep"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Vlog" ADD CONSTRAINT "Vlog_ownerId_fkey" FOREIGN KEY ("ownerId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Vlog" ADD CONSTRAINT "Vlog_runId_fkey" FOREIGN KEY ("runId") REFERENCES "WorkflowRun"("id") ON DELETE CASCADE ON UPDATE CASCADE;
