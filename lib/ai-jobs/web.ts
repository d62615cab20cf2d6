// The web process's wiring of the AI jobs service: this process's database and live pipeline.
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { publishJob } from "./live";
import type { ServiceDeps } from "./service";

export function webDeps(): ServiceDeps {
  return { db: db(), publish: publishJob, allowPrivateHosts: env().AI_JOBS_ALLOW_PRIVATE_HOSTS };
}
