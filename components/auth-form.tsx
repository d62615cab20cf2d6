"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useId, useState } from "react";
import { ApiError, apiFetch, errorMessage } from "./api-fetch";

type Mode = "signin" | "signup";

const copy = {
  signin: { title: "Sign in", button: "Sign in", other: "No account yet?", otherLink: "/signup", otherText: "Create one" },
  signup: { title: "Create your account", button: "Create account", other: "Already have an account?", otherLink: "/signin", otherText: "Sign in" },
} as const;

/** `next`: where to go after signing in (a path on this site, checked by the page). */
export function AuthForm({ mode, next = "/" }: { mode: Mode; next?: string }) {
  const router = useRouter();
  const ids = { email: useId(), password: useId(), error: useId() };
  const [error, setError] = useState<string | null>(null);
  const [fields, setFields] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const text = copy[mode];

  async function submit(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setFields({});
    const form = new FormData(event.currentTarget);
    try {
      await apiFetch(`/api/auth/${mode}`, { json: { email: form.get("email"), password: form.get("password") } });
      router.push(next);
      router.refresh();
    } catch (err) {
      setError(errorMessage(err));
      setFields(err instanceof ApiError ? err.fields : {});
    } finally {
      setBusy(false);
    }
  }

  const input = "mt-1 block w-full rounded-md border border-slate-300 px-3 py-2 shadow-sm focus:border-indigo-500";
  return (
    <div className="mx-auto max-w-sm rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
      <h1 className="text-xl font-semibold">{text.title}</h1>
      <form onSubmit={submit} className="mt-6 space-y-4" noValidate aria-describedby={error ? ids.error : undefined}>
        <div>
          <label htmlFor={ids.email} className="block text-sm font-medium text-slate-700">Email</label>
          <input id={ids.email} name="email" type="email" autoComplete="email" required className={input}
            aria-invalid={Boolean(fields.email)} />
          {fields.email && <p className="mt-1 text-sm text-red-700">{fields.email}</p>}
        </div>
        <div>
          <label htmlFor={ids.password} className="block text-sm font-medium text-slate-700">Password</label>
          <input id={ids.password} name="password" type="password" required minLength={8} className={input}
            autoComplete={mode === "signup" ? "new-password" : "current-password"} aria-invalid={Boolean(fields.password)} />
          {fields.password && <p className="mt-1 text-sm text-red-700">{fields.password}</p>}
          {mode === "signup" && !fields.password && <p className="mt-1 text-xs text-slate-500">At least 8 characters.</p>}
        </div>
        {error && (
          <p id={ids.error} role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-800">{error}</p>
        )}
        <button type="submit" disabled={busy}
          className="w-full rounded-md bg-indigo-600 px-4 py-2 font-medium text-white hover:bg-indigo-700 disabled:opacity-60">
          {busy ? "Please wait…" : text.button}
        </button>
      </form>
      <p className="mt-4 text-sm text-slate-600">
        {text.other} <Link href={next === "/" ? text.otherLink : `${text.otherLink}?next=${encodeURIComponent(next)}`} className="font-medium text-indigo-700 hover:underline">{text.otherText}</Link>
      </p>
    </div>
  );
}
