-- AlterTable
ALTER TABLE "WorkflowRun" ADD COLUMN     "startedAt" TIMESTAMP(3);

-- Runs that already ran: when their first attempt started.
UPDATE "WorkflowRun" r SET "startedAt" = first."startedAt"
FROM (
  SELECT s."runId", MIN(a."startedAt") AS "startedAt"
  FROM "WorkflowStep" s JOIN "WorkflowStepAttempt" a ON a."stepId" = s."id"
  GROUP BY s."runId"
) first
WHERE first."runId" = r."id";
