import type { Metadata } from "next";
import { pageUser } from "@/lib/auth/page";
import { SiteNav } from "@/components/site-nav";
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
          <SiteNav user={user ? { email: user.email, isAdmin: user.isAdmin } : null} />
        </header>
        <main id="main" className="mx-auto max-w-6xl px-4 py-6 md:py-8">
          {children}
        </main>
      </body>
    </html>
  );
}
