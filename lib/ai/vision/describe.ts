// Turns what the local vision model detected into words: tags ("dog", "person ×2",
// "2 faces") and a phrase for the caption ("two people and a dog"). Pure and
// deterministic, so it is tested without the model.
import type { Detections } from "./types";

/**
 * Below this an object is not mentioned. Chosen on the labelled photographs
 * (bench/local-ai-labels.json, docs/local-ai.md): at 0.5 every tag CenterNet gave was
 * right; at 0.45 it took a rock on a mountain meadow for a sheep, at 0.3 a water drop
 * for a vase and dandelion seeds for birds.
 */
export const OBJECT_MIN_SCORE = 0.5;
/** Faces are counted only inside a person the object model saw with this confidence. */
export const FACE_MIN_SCORE = 0.5;

export interface Seen {
  /** Distinct kinds of things, most confident first, with how many of each. */
  things: Array<{ label: string; count: number; score: number }>;
  faces: number;
}

export function summarise(d: Detections): Seen {
  const byLabel = new Map<string, { label: string; count: number; score: number }>();
  for (const o of d.objects) {
    if (o.score < OBJECT_MIN_SCORE) continue;
    const entry = byLabel.get(o.label) ?? { label: o.label, count: 0, score: 0 };
    entry.count += 1;
    entry.score = Math.max(entry.score, o.score);
    byLabel.set(o.label, entry);
  }
  const things = [...byLabel.values()].sort((a, b) => b.score - a.score || a.label.localeCompare(b.label));
  // BlazeFace alone finds "faces" in figs, dogs and lamps; a face inside a person the
  // object model is sure of is a face.
  const people = d.objects.filter((o) => o.label === "person" && o.score >= OBJECT_MIN_SCORE);
  const faces = d.faces.filter((f) => f.score >= FACE_MIN_SCORE && people.some((p) => contains(p.box, centre(f.box)))).length;
  return { things, faces };
}

/** "dog", "person ×2", then "2 faces": the tags the model contributes, in that order. */
export function seenTags(seen: Seen): string[] {
  const tags = seen.things.map((t) => (t.count > 1 ? `${t.label} ×${t.count}` : t.label));
  if (seen.faces > 0) tags.push(seen.faces === 1 ? "1 face" : `${seen.faces} faces`);
  return tags;
}

/** "two people, a dog and a wine glass", or null when nothing was recognised. */
export function seenPhrase(seen: Seen): string | null {
  if (seen.things.length === 0) return null;
  const parts = seen.things.slice(0, 4).map((t) => countedNoun(t.label, t.count));
  const list = parts.length === 1 ? parts[0] : `${parts.slice(0, -1).join(", ")} and ${parts[parts.length - 1]}`;
  if (seen.faces === 0) return list;
  return `${list} (${seen.faces === 1 ? "one face" : `${numberWord(seen.faces)} faces`} visible)`;
}

function countedNoun(label: string, count: number): string {
  if (count === 1) return `${/^[aeiou]/.test(label) ? "an" : "a"} ${label}`;
  return `${numberWord(count)} ${plural(label)}`;
}

const NUMBER_WORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"];
function numberWord(n: number): string {
  return NUMBER_WORDS[n] ?? String(n);
}

// COCO's labels whose plural is not the label + "s".
const PLURALS: Record<string, string> = {
  person: "people",
  mouse: "mice",
  sheep: "sheep",
  skis: "pairs of skis",
  scissors: "pairs of scissors",
  knife: "knives",
  "hair drier": "hair driers",
};

export function plural(label: string): string {
  if (PLURALS[label]) return PLURALS[label];
  if (/(s|sh|ch|x)$/.test(label)) return `${label}es`;
  return `${label}s`;
}

type Box = [number, number, number, number];

function centre([x, y, w, h]: Box): [number, number] {
  return [x + w / 2, y + h / 2];
}

function contains([x, y, w, h]: Box, [px, py]: [number, number]): boolean {
  return px >= x && px <= x + w && py >= y && py <= y + h;
}
