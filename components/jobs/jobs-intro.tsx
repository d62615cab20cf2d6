// The Jobs page's empty state: what a job is, and how a program starts one (curl).
import Link from "next/link";

export function JobsIntro({ appUrl }: { appUrl: string }) {
  const curl = [
    `curl -X POST ${appUrl}/api/v1/jobs \\`,
    `  -H "Authorization: Bearer $FRAMECAST_TOKEN" \\`,
    `  -H "Content-Type: application/json" \\`,
    `  -d '{"type":"summarize","payload":{"text":"Paste a few paragraphs here.","length":"short"}}'`,
  ].join("\n");
  const follow = `curl -H "Authorization: Bearer $FRAMECAST_TOKEN" \\\n  ${appUrl}/api/v1/jobs/<job_id>`;
  return (
    <div className="space-y-3 rounded-xl border border-dashed border-slate-300 bg-white p-4 text-sm text-slate-700" data-testid="jobs-empty">
      <p className="font-medium text-slate-900">No jobs yet.</p>
      <p>
        A job is a piece of AI work that runs in the background: summarise a text, pull the article out of a web page,
        check a summary against its source, compare texts or photos, turn an article into a podcast episode, or run a
        batch of these. Each one works without an AI key; with one configured, a provider does the writing.
      </p>
      <p>Start one with the form, or from your own program with an <Link href="/settings/tokens" className="text-indigo-700 underline">API token</Link>:</p>
      <pre className="overflow-x-auto rounded-lg bg-slate-900 p-3 text-xs leading-relaxed text-slate-100 dark:bg-black dark:text-slate-700" tabIndex={0} aria-label="Starting a job with curl">{curl}</pre>
      <p>The answer carries a <code className="rounded bg-slate-100 px-1">job_id</code>; ask for it until its status is completed:</p>
      <pre className="overflow-x-auto rounded-lg bg-slate-900 p-3 text-xs leading-relaxed text-slate-100 dark:bg-black dark:text-slate-700" tabIndex={0} aria-label="Following a job with curl">{follow}</pre>
    </div>
  );
}
