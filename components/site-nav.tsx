"use client";
// The header's links: inline on wide screens; on phones one "Menu" button that opens them
// as a list (aria-expanded, Escape closes, a followed link closes). One set of links for
// both, so nothing is said twice to a screen reader.
import Link from "next/link";
import { usePathname } from "next/navigation";
import { useEffect, useRef, useState } from "react";
import { SignOutButton } from "./sign-out-button";

interface NavUser {
  email: string;
  isAdmin: boolean;
}

const linkClass = "block rounded-md px-3 py-2.5 text-slate-700 hover:bg-slate-100 md:inline md:p-0 md:hover:bg-transparent md:hover:underline";

export function SiteNav({ user }: { user: NavUser | null }) {
  const [open, setOpen] = useState(false);
  const pathname = usePathname();
  const [openedAt, setOpenedAt] = useState(pathname);
  const menuButton = useRef<HTMLButtonElement>(null);
  // A followed link closes the menu (the pathname changes under it).
  if (open && openedAt !== pathname) setOpen(false);

  useEffect(() => {
    if (!open) return;
    // Escape closes the menu and gives focus back to its button, where the keyboard was.
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== "Escape") return;
      setOpen(false);
      menuButton.current?.focus();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [open]);

  const current = (href: string) => (href === "/" ? pathname === "/" : pathname.startsWith(href)) ? "page" : undefined;

  return (
    <nav aria-label="Main" className="mx-auto flex max-w-6xl flex-wrap items-center justify-between gap-2 px-4 py-2 md:py-3">
      <Link href="/" className="py-2 text-lg font-semibold tracking-tight text-indigo-700">
        Framecast
      </Link>
      <button
        ref={menuButton}
        type="button"
        className="min-h-11 min-w-11 rounded-md border border-slate-300 px-3 text-sm font-medium text-slate-700 md:hidden"
        aria-expanded={open}
        aria-controls="site-menu"
        onClick={() => {
          setOpenedAt(pathname);
          setOpen((o) => !o);
        }}
      >
        {open ? "Close" : "Menu"}
      </button>
      <div
        id="site-menu"
        className={`${open ? "flex" : "hidden"} w-full flex-col gap-1 border-t border-slate-200 pb-2 pt-2 text-sm md:flex md:w-auto md:flex-row md:items-center md:gap-4 md:border-0 md:p-0`}
      >
        {user ? (
          <>
            <Link href="/" className={linkClass} aria-current={current("/")}>Photos</Link>
            <Link href="/vlogs" className={linkClass} aria-current={current("/vlogs")}>Vlogs</Link>
            <Link href="/podcasts" className={linkClass} aria-current={current("/podcasts")}>Podcasts</Link>
            <Link href="/jobs" className={linkClass} aria-current={current("/jobs")}>Jobs</Link>
            {user.isAdmin && <Link href="/admin" className={`${linkClass} font-medium`} aria-current={current("/admin")}>Admin</Link>}
            <Link href="/settings" className={linkClass} aria-current={current("/settings")}>Settings</Link>
            <span className="truncate px-3 py-1 text-slate-600 md:max-w-56 md:p-0" title={user.email}>{user.email}</span>
            <div className="px-3 md:p-0"><SignOutButton /></div>
          </>
        ) : (
          <>
            <Link href="/signin" className={linkClass}>Sign in</Link>
            <Link href="/signup" className="rounded-md bg-indigo-600 px-3 py-2.5 text-center font-medium text-white hover:bg-indigo-700 md:py-1.5">
              Create account
            </Link>
          </>
        )}
      </div>
    </nav>
  );
}
