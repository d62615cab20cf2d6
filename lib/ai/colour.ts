// Names a #rrggbb colour from a small palette people actually use in search
// ("blue", "brown"), rather than the nearest of hundreds of CSS names. Green is in
// neither tone set: foliage reads as "green", not as "cool".

export type ColourName =
  | "red"
  | "orange"
  | "yellow"
  | "green"
  | "teal"
  | "blue"
  | "purple"
  | "pink"
  | "brown"
  | "black"
  | "white"
  | "grey";

export const WARM_COLOURS: ReadonlySet<ColourName> = new Set(["red", "orange", "yellow", "pink", "brown"]);
export const COOL_COLOURS: ReadonlySet<ColourName> = new Set(["teal", "blue", "purple"]);

/** null for anything that is not #rgb or #rrggbb, so bad input never becomes a tag. */
export function colourName(hex: string): ColourName | null {
  const hsl = hexToHsl(hex);
  if (!hsl) return null;
  const { h, s, l } = hsl;

  // Lightness first: near-black and near-white read as such whatever their hue.
  if (l < 0.12) return "black";
  if (l > 0.92) return "white";
  // Low saturation reads as grey (or white/black at the ends of the scale).
  if (s < 0.15 || (s < 0.25 && (l < 0.2 || l > 0.85))) {
    if (l > 0.8) return "white";
    if (l < 0.2) return "black";
    return "grey";
  }

  if (h < 15 || h >= 345) return l > 0.7 ? "pink" : l < 0.3 ? "brown" : "red";
  // Orange and yellow hues turn brown when dark (that is all brown is).
  if (h < 45) return l < 0.4 ? "brown" : "orange";
  if (h < 70) return l < 0.3 ? "brown" : "yellow";
  if (h < 165) return "green";
  if (h < 195) return "teal";
  if (h < 255) return "blue";
  if (h < 290) return "purple";
  return l > 0.4 ? "pink" : "purple";
}

export function hexToHsl(hex: string): { h: number; s: number; l: number } | null {
  const m = /^#?([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(hex.trim());
  if (!m) return null;
  const digits = m[1].length === 3 ? [...m[1]].map((c) => c + c).join("") : m[1];
  const [r, g, b] = [0, 2, 4].map((i) => parseInt(digits.slice(i, i + 2), 16) / 255);
  const max = Math.max(r, g, b);
  const min = Math.min(r, g, b);
  const l = (max + min) / 2;
  const d = max - min;
  if (d === 0) return { h: 0, s: 0, l };
  const s = d / (1 - Math.abs(2 * l - 1));
  let h: number;
  if (max === r) h = ((g - b) / d) % 6;
  else if (max === g) h = (b - r) / d + 2;
  else h = (r - g) / d + 4;
  h = (h * 60 + 360) % 360;
  return { h, s, l };
}
