import { DataExport, DeleteAccount, StorageMeter } from "@/components/account/your-data";
import { SettingsNav } from "@/components/settings-nav";
import { CONFIRM_PHRASE } from "@/lib/account/delete-account";
import { recentExports, usageOf } from "@/lib/account/service";
import { SignOutEverywhereButton } from "@/components/sign-out-everywhere-button";
import { requirePageUser } from "@/lib/auth/page";
import { listSessions } from "@/lib/auth/session";
import { db } from "@/lib/db";

export const dynamic = "force-dynamic";
export const metadata = { title: "Settings · Framecast" };

const when = (iso: string) =>
  new Date(iso).toLocaleString("en-GB", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" }) + " UTC";

/** "Firefox on Linux" from a user-agent string; the raw string when nothing is recognised. */
function device(userAgent: string | null): string {
  if (!userAgent) return "Unknown device";
  const browser = [["Edg/", "Edge"], ["Firefox/", "Firefox"], ["Chrome/", "Chrome"], ["Safari/", "Safari"]].find(([m]) => userAgent.includes(m))?.[1];
  const os = [["Android", "Android"], ["iPhone", "iOS"], ["iPad", "iPadOS"], ["Mac OS X", "macOS"], ["Windows", "Windows"], ["Linux", "Linux"]].find(([m]) => userAgent.includes(m))?.[1];
  if (browser && os) return `${browser} on ${os}`;
  return browser ?? os ?? userAgent.slice(0, 60);
}

export default async function SettingsPage() {
  const user = await requirePageUser();
  const [sessions, usage, exports] = await Promise.all([listSessions(db(), user.id, user.sessionId), usageOf(user), recentExports(user)]);
  return (
    <>
      <h1 className="mb-4 text-2xl font-semibold tracking-tight">Settings</h1>
      <SettingsNav current="account" />
      <section aria-labelledby="sessions-heading" className="space-y-4 rounded-xl border border-slate-200 bg-white p-6">
        <div>
          <h2 id="sessions-heading" className="text-lg font-semibold">Where you are signed in</h2>
          <p className="text-sm text-slate-600">
            Every browser signed in to {user.email}. If you see one you do not recognise, sign out everywhere and
            choose a new password.
          </p>
        </div>
        <ul className="divide-y divide-slate-100">
          {sessions.map((s, i) => (
            <li key={i} className="flex flex-wrap items-baseline justify-between gap-2 py-2" data-testid="session-row">
              <span className="font-medium">
                {device(s.userAgent)}
                {s.current && <span className="ml-2 rounded-full bg-green-50 px-2 py-0.5 text-xs text-green-800">this browser</span>}
              </span>
              <span className="text-sm text-slate-500">
                signed in {when(s.createdAt)} · last active {when(s.lastSeenAt)}
              </span>
            </li>
          ))}
        </ul>
        <SignOutEverywhereButton />
        <p className="text-xs text-slate-500">API tokens keep working; revoke them under API tokens.</p>
      </section>
      <div className="mt-6 space-y-6">
        <StorageMeter usage={usage} />
        <DataExport initial={exports[0] ?? null} />
        <DeleteAccount email={user.email} phrase={CONFIRM_PHRASE} />
      </div>
    </>
  );
}
