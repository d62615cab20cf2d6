import type { Metadata } from "next";
import Link from "next/link";
import { pageUser } from "@/lib/auth/page";
import { SignOutButton } from "@/components/sign-out-button";
import "./globals.css";

export const metadata: Metadata = {
  title: "Framecast",
  description: "Your photos, analysed on your own machine.",
};

export default async function RootLayout({ children }: { children: React.ReactNode }) {
  const user = await pageUser();
  return (
    <html lang="en">
      <body className="min-h-screen">
        <a href="#main" className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:bg-white focus:p-2">
          Skip to content
        </a>
        <header className="border-b border-slate-200 bg-white">
          <nav aria-label="Main" className="mx-auto flex max-w-6xl items-center justify-between px-4 py-3">
            <Link href="/" className="text-lg font-semibold tracking-tight text-indigo-700">
              Framecast
            </Link>
            {user ? (
              <div className="flex items-center gap-4 text-sm">
                <Link href="/" className="text-slate-700 hover:underline">Photos</Link>
                <Link href="/vlogs" className="text-slate-700 hover:underline">Vlogs</Link>
                {user.isAdmin && <Link href="/admin" className="font-medium text-slate-700 hover:underline">Admin</Link>}
                <span className="text-slate-600">{user.email}</span>
                <Link href="/settings" className="text-slate-700 hover:underline">Settings</Link>
                <SignOutButton />
              </div>
            ) : (
              <div className="flex items-center gap-4 text-sm">
                <Link href="/signin" className="text-slate-700 hover:underline">Sign in</Link>
                <Link href="/signup" className="rounded-md bg-indigo-600 px-3 py-1.5 font-medium text-white hover:bg-indigo-700">
                  Create account
                </Link>
              </div>
            )}
          </nav>
        </header>
        <main id="main" className="mx-auto max-w-6xl px-4 py-8">
          {children}
        </main>
      </body>
    </html>
  );
}
