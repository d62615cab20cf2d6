// A batch's outcome, collected from its jobs' records: each job's status and result or
// error, in the order the batch listed them. The batch completes with whatever its jobs
// achieved; one failing does not fail the others or the batch.
import type { Db } from "@/lib/db";
import type { BatchChildResult, BatchChildType, BatchProcessResult } from "./types";

export async function batchOutcome(db: Db, batchId: string): Promise<BatchProcessResult> {
  // Children are created with increasing createdAt, one millisecond apart, in the batch's order.
  const rows = await db.job.findMany({
    where: { parentId: batchId },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    select: { id: true, type: true, status: true, result: true, errorCode: true, errorMessage: true },
  });
  const children: BatchChildResult[] = rows.map((row, index) => ({
    index,
    type: row.type as BatchChildType,
    job_id: row.id,
    status: row.status,
    ...(row.status === "completed" ? { result: row.result } : {}),
    ...(row.errorCode && row.status !== "completed" ? { error: { code: row.errorCode, message: row.errorMessage ?? "" } } : {}),
  }));
  const count = (status: BatchChildResult["status"]) => children.filter((c) => c.status === status).length;
  return { total: children.length, completed: count("completed"), failed: count("failed"), canceled: count("canceled"), children };
}
