// The web app manifest (/manifest.webmanifest): what makes Framecast installable, and the
// share target that puts it in the phone's share sheet (public/sw.js receives the photos).
// The icons are made from assets/icon.svg at build time (scripts/make-icons.mjs).
import type { MetadataRoute } from "next";
import { THEME } from "@/lib/theme";

export default function manifest(): MetadataRoute.Manifest {
  return {
    id: "/",
    name: "Framecast",
    short_name: "Framecast",
    description: "Your photos, analysed on your own machine; vlogs and podcasts made from them.",
    start_url: "/",
    scope: "/",
    display: "standalone",
    background_color: THEME.background,
    theme_color: THEME.brand,
    icons: [
      { src: "/icons/icon-192.png", sizes: "192x192", type: "image/png", purpose: "any" },
      { src: "/icons/icon-512.png", sizes: "512x512", type: "image/png", purpose: "any" },
      { src: "/icons/maskable-512.png", sizes: "512x512", type: "image/png", purpose: "maskable" },
    ],
    share_target: {
      action: "/share-target",
      method: "POST",
      enctype: "multipart/form-data",
      params: { files: [{ name: "photos", accept: ["image/*", ".heic", ".heif", ".avif"] }] },
    },
  };
}
