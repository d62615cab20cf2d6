import Link from "next/link";

// The two settings pages, as tabs.
export function SettingsNav({ current }: { current: "account" | "tokens" }) {
  const tab = (active: boolean) =>
    `inline-flex min-h-11 items-center rounded-md px-3 text-sm font-medium ${active ? "bg-indigo-50 text-indigo-800" : "text-slate-600 hover:bg-slate-100"}`;
  return (
    <nav aria-label="Settings" className="mb-6 flex gap-2">
      <Link href="/settings" className={tab(current === "account")} aria-current={current === "account" ? "page" : undefined}>
        Sessions
      </Link>
      <Link href="/settings/tokens" className={tab(current === "tokens")} aria-current={current === "tokens" ? "page" : undefined}>
        API tokens
      </Link>
    </nav>
  );
}
