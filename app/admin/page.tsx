import { OverviewLive } from "@/components/admin/overview-live";
import { buildOverview } from "@/lib/admin/overview";
import { requireAdminPage } from "@/lib/auth/admin";

export const dynamic = "force-dynamic";
export const metadata = { title: "Queues · Admin · Framecast" };

// The operations console's overview (admins only); it stays live through an SSE stream.
export default async function AdminPage() {
  await requireAdminPage("/admin");
  return <OverviewLive initial={await buildOverview()} />;
}
