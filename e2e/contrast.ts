// WCAG 2 AA text contrast, measured in the browser on what it actually painted: for every
// visible element with text of its own, the computed colour (`fill` for SVG text) against
// the nearest background colour behind it, both as Chromium resolves them (Tailwind 4's
// oklch included; a canvas turns any CSS colour into sRGB). AA asks 4.5:1, or 3:1 for
// large text (24px, or 18.66px bold). The same rule as axe-core's color-contrast, for pages
// whose backgrounds are plain colours (images behind text are not considered).
import type { Page } from "@playwright/test";

export interface LowContrast {
  text: string;
  ratio: number;
  needed: number;
  color: string;
  background: string;
}

export async function lowContrastTexts(page: Page, within = "main"): Promise<LowContrast[]> {
  return page.evaluate((selector) => {
    const canvas = document.createElement("canvas");
    canvas.width = canvas.height = 1;
    const ctx = canvas.getContext("2d", { willReadFrequently: true })!;
    const rgba = (css: string): [number, number, number, number] => {
      ctx.clearRect(0, 0, 1, 1);
      ctx.fillStyle = "#000";
      ctx.fillStyle = css;
      ctx.fillRect(0, 0, 1, 1);
      const [r, g, b, a] = ctx.getImageData(0, 0, 1, 1).data;
      return [r, g, b, a / 255];
    };
    const over = (top: number[], bottom: number[]) => [0, 1, 2].map((i) => top[i] * top[3] + bottom[i] * (1 - top[3]));
    const luminance = ([r, g, b]: number[]) => {
      const lin = (c: number) => ((c /= 255) <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
      return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
    };
    /** The colour painted behind `el`: its own and its ancestors' backgrounds, over white. */
    const backgroundOf = (el: Element): number[] => {
      const layers: [number, number, number, number][] = [];
      for (let node: Element | null = el; node; node = node.parentElement) {
        const bg = rgba(getComputedStyle(node).backgroundColor);
        if (bg[3] > 0) layers.push(bg);
        if (bg[3] >= 1) break;
      }
      return layers.reverse().reduce<number[]>((below, layer) => over(layer, below), [255, 255, 255]);
    };

    const found: LowContrast[] = [];
    for (const el of document.querySelectorAll(`${selector} *`)) {
      const own = [...el.childNodes].filter((n) => n.nodeType === Node.TEXT_NODE).map((n) => n.textContent ?? "").join("").trim();
      if (!own || el.closest("[aria-hidden=true], title")) continue;
      const style = getComputedStyle(el);
      const box = el.getBoundingClientRect();
      if (style.visibility !== "visible" || style.display === "none" || box.width <= 1 || box.height <= 1) continue;
      const svgText = el instanceof SVGElement;
      const fg = rgba(svgText ? style.fill : style.color);
      const bg = backgroundOf(el);
      const [l1, l2] = [luminance(over(fg, bg)), luminance(bg)].sort((a, b) => b - a);
      const ratio = (l1 + 0.05) / (l2 + 0.05);
      // SVG text is drawn in viewBox units: its size on screen is what counts.
      const px = svgText ? box.height : parseFloat(style.fontSize);
      const large = px >= 24 || (px >= 18.66 && Number(style.fontWeight) >= 700);
      const needed = large ? 3 : 4.5;
      if (ratio < needed) {
        found.push({ text: own.slice(0, 40), ratio: Math.round(ratio * 100) / 100, needed, color: svgText ? style.fill : style.color, background: `rgb(${bg.map(Math.round).join(", ")})` });
      }
    }
    return found;
  }, within);
}
