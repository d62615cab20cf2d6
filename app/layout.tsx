import type { Metadata, Viewport } from "next";
import { pageUser } from "@/lib/auth/page";
import { ServiceWorker } from "@/components/service-worker";
import { SiteNav } from "@/components/site-nav";
import { THEME } from "@/lib/theme";
import "./globals.css";

// Icons come from assets/icon.svg (scripts/make-icons.mjs); the manifest from app/manifest.ts.
export const metadata: Metadata = {
  title: "Framecast",
  description: "Your photos, analysed on your own machine.",
  applicationName: "Framecast",
  icons: {
    icon: [{ url: "/favicon.ico", sizes: "16x16 32x32 48x48" }, { url: "/icons/icon-192.png", type: "image/png", sizes: "192x192" }],
    apple: [{ url: "/apple-touch-icon.png", sizes: "180x180" }],
  },
  appleWebApp: { capable: true, title: "Framecast", statusBarStyle: "default" },
};

export const viewport: Viewport = {
  width: "device-width",
  initialScale: 1,
  colorScheme: "light dark",
  themeColor: [
    { media: "(prefers-color-scheme: light)", color: THEME.brand },
    { media: "(prefers-color-scheme: dark)", color: THEME.darkBackground },
  ],
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
        <ServiceWorker />
      </body>
    </html>
  );
}
