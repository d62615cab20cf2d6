"use client";

// Create and revoke API tokens. A new token's value is shown once, here, and never again:
// the server keeps only its hash. So is its webhook signing secret, when the server sends
// one (`webhookSecret` in the creation answer): programs need it to verify our webhooks.
import { useRouter } from "next/navigation";
import { useId, useState } from "react";
import type { ApiTokenView } from "@/lib/auth/tokens";
import { ApiError, apiFetch, errorMessage } from "./api-fetch";

const when = (iso: string | null) =>
  iso ? new Date(iso).toLocaleString("en-GB", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" }) + " UTC" : "never";

export function TokenManager({ tokens }: { tokens: ApiTokenView[] }) {
  const router = useRouter();
  const ids = { name: useId(), error: useId() };
  const [created, setCreated] = useState<{ name: string; token: string; webhookSecret: string | null } | null>(null);
  const [copied, setCopied] = useState<"token" | "secret" | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function create(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    setBusy(true);
    setError(null);
    setCopied(null);
    let body: { apiToken: ApiTokenView; token: string; webhookSecret?: unknown };
    try {
      body = await apiFetch("/api/account/tokens", {
        json: { name: data.get("name"), scopes: data.get("scopes") === "write" ? ["read", "write"] : ["read"] },
      });
    } catch (err) {
      setError((err instanceof ApiError && err.fields.name) || errorMessage(err));
      return;
    } finally {
      setBusy(false);
    }
    setCreated({ name: body.apiToken.name, token: body.token, webhookSecret: typeof body.webhookSecret === "string" ? body.webhookSecret : null });
    form.reset();
    router.refresh();
  }

  async function revoke(token: ApiTokenView) {
    if (!window.confirm(`Revoke “${token.name}”? Programs using it stop working at once.`)) return;
    await apiFetch(`/api/account/tokens/${token.id}`, { method: "DELETE" }).catch((err) => setError(errorMessage(err)));
    router.refresh();
  }

  const active = tokens.filter((t) => !t.revokedAt);
  const revoked = tokens.filter((t) => t.revokedAt);
  return (
    <div className="space-y-6">
      <section aria-labelledby="new-token-heading" className="space-y-4 rounded-xl border border-slate-200 bg-white p-6">
        <div>
          <h2 id="new-token-heading" className="text-lg font-semibold">New token</h2>
          <p className="text-sm text-slate-600">
            For scripts and programs: send it as <code className="rounded bg-slate-100 px-1">Authorization: Bearer fc_…</code> to
            any <code className="rounded bg-slate-100 px-1">/api/v1</code> address. It acts as you, within its scope.
          </p>
        </div>
        <form onSubmit={create} className="flex flex-wrap items-end gap-4" aria-describedby={error ? ids.error : undefined}>
          <div>
            <label htmlFor={ids.name} className="block text-sm font-medium text-slate-700">Name</label>
            <input id={ids.name} name="name" required maxLength={100} placeholder="e.g. nightly backup"
              className="mt-1 block w-64 rounded-md border border-slate-300 px-3 py-2 shadow-sm focus:border-indigo-500" />
          </div>
          <fieldset className="flex gap-4 text-sm">
            <legend className="mb-1 block text-sm font-medium text-slate-700">Scope</legend>
            <label className="flex min-h-11 items-center gap-2"><input type="radio" name="scopes" value="read" defaultChecked className="h-5 w-5" /> Read only</label>
            <label className="flex min-h-11 items-center gap-2"><input type="radio" name="scopes" value="write" className="h-5 w-5" /> Read and write</label>
          </fieldset>
          <button type="submit" disabled={busy}
            className="rounded-md bg-indigo-600 px-4 py-2 font-medium text-white hover:bg-indigo-700 disabled:opacity-60">
            {busy ? "Creating…" : "Create token"}
          </button>
        </form>
        {error && <p id={ids.error} role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-800">{error}</p>}
        {created && (
          <div role="status" className="space-y-2 rounded-md border border-amber-300 bg-amber-50 p-4" data-testid="new-token">
            <p className="text-sm font-medium text-amber-900">
              Your token “{created.name}”. Copy it now: it will not be shown again.
            </p>
            <div className="flex flex-wrap items-center gap-2">
              <code className="break-all rounded bg-white px-2 py-1 font-mono text-sm" data-testid="new-token-value">{created.token}</code>
              <button type="button" className="min-h-11 rounded-md border border-amber-400 px-3 text-sm hover:bg-amber-100"
                onClick={async () => {
                  await navigator.clipboard?.writeText(created.token).catch(() => {});
                  setCopied("token");
                }}>
                {copied === "token" ? "Copied" : "Copy"}
              </button>
            </div>
            {created.webhookSecret && (
              <>
                <p className="pt-2 text-sm text-amber-900">
                  Its webhook signing secret: jobs this token starts with a <code>webhookUrl</code> are signed with it
                  (Standard Webhooks, <code>webhook-signature</code>). Keep it with the token to verify them: it will not be shown again either.
                </p>
                <div className="flex flex-wrap items-center gap-2">
                  <code className="break-all rounded bg-white px-2 py-1 font-mono text-sm" data-testid="new-webhook-secret">{created.webhookSecret}</code>
                  <button type="button" className="min-h-11 rounded-md border border-amber-400 px-3 text-sm hover:bg-amber-100"
                    onClick={async () => {
                      await navigator.clipboard?.writeText(created.webhookSecret!).catch(() => {});
                      setCopied("secret");
                    }}>
                    {copied === "secret" ? "Copied" : "Copy secret"}
                  </button>
                </div>
              </>
            )}
            <button type="button" className="min-h-11 text-sm text-amber-900 underline" onClick={() => setCreated(null)}>Done</button>
          </div>
        )}
      </section>

      <section aria-labelledby="tokens-heading" className="rounded-xl border border-slate-200 bg-white p-6">
        <h2 id="tokens-heading" className="mb-2 text-lg font-semibold">Your tokens</h2>
        {active.length === 0 ? (
          <p className="text-sm text-slate-500">No active tokens.</p>
        ) : (
          <ul className="divide-y divide-slate-100">
            {active.map((t) => (
              <li key={t.id} data-testid="token-row" className="flex flex-wrap items-center justify-between gap-3 py-2">
                <span>
                  <span className="font-medium">{t.name}</span>{" "}
                  <code className="text-xs text-slate-500">{t.hint}</code>{" "}
                  <span className="rounded-full bg-slate-100 px-2 py-0.5 text-xs text-slate-700">{t.scopes.join(" + ")}</span>
                </span>
                <span className="flex items-center gap-4 text-sm text-slate-500">
                  created {when(t.createdAt)} · last used {when(t.lastUsedAt)}
                  <button type="button" onClick={() => revoke(t)}
                    className="rounded-md border border-slate-300 px-2 py-1 text-sm text-red-700 hover:bg-red-50">
                    Revoke
                  </button>
                </span>
              </li>
            ))}
          </ul>
        )}
        {revoked.length > 0 && (
          <details className="mt-4 text-sm text-slate-500">
            <summary>{revoked.length} revoked</summary>
            <ul className="mt-2 space-y-1">
              {revoked.map((t) => (
                <li key={t.id}>{t.name} <code className="text-xs">{t.hint}</code> · revoked {when(t.revokedAt)}</li>
              ))}
            </ul>
          </details>
        )}
      </section>
    </div>
  );
}
