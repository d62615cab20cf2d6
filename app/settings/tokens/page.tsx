import { SettingsNav } from "@/components/settings-nav";
import { TokenManager } from "@/components/token-manager";
import { requirePageUser } from "@/lib/auth/page";
import { listApiTokens } from "@/lib/auth/tokens";
import { db } from "@/lib/db";

export const dynamic = "force-dynamic";
export const metadata = { title: "API tokens · Framecast" };

export default async function TokensPage() {
  const user = await requirePageUser();
  const tokens = await listApiTokens(db(), user.id);
  return (
    <>
      <h1 className="mb-4 text-2xl font-semibold tracking-tight">Settings</h1>
      <SettingsNav current="tokens" />
      <TokenManager tokens={tokens} />
    </>
  );
}
