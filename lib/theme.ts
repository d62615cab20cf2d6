// The colours the browser and the OS use around the page (manifest, theme-color), matching
// app/globals.css: indigo-600 for the brand, slate-50 / slate-950 for the page background.
export const THEME = {
  brand: "#4f46e5",
  background: "#f8fafc",
  darkBackground: "#020618",
} as const;
