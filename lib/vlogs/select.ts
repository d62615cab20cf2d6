// Storyboard THINK: which photos make the cut and in what order. Pure, so the rules are
// unit-tested: order by EXIF capture time, keep one of each group of near-duplicates (the
// sharpest, best-exposed one), and leave out clearly unusable photos when enough remain.
import { hammingDistance } from "@/lib/media/image/phash";

export interface Candidate {
  mediaId: string;
  /** Position in the user's selection, the fallback order. */
  index: number;
  /** EXIF capture time (camera wall clock), ISO; null when the photo has none. */
  takenAt: string | null;
  phash: string;
  /** Laplacian variance of a small greyscale copy, normalised to 0..1 (lib/media/image/pixels.ts). */
  sharpness: number;
  /** 0..1: 1 for a mid-toned photo with nothing clipped. */
  exposure: number;
}

export interface ChosenShot {
  mediaId: string;
  takenAt: string | null;
  score: number;
  sharpness: number;
  exposure: number;
}

export interface ShotSelection {
  shots: ChosenShot[];
  dropped: { mediaId: string; reason: string }[];
}

/** Bits of 64 within which two photos count as the same picture (a burst, a re-take). */
export const NEAR_DUPLICATE_BITS = 10;
/** Below this score a photo is dropped, as long as MIN_KEEP others remain. */
export const UNUSABLE_SCORE = 0.15;
const MIN_KEEP = 3;

export function qualityScore(c: Pick<Candidate, "sharpness" | "exposure">): number {
  return Math.round((0.6 * c.sharpness + 0.4 * c.exposure) * 1000) / 1000;
}

export function selectShots(candidates: readonly Candidate[]): ShotSelection {
  const dropped: ShotSelection["dropped"] = [];
  // Best first, so of each near-duplicate group the best photo is the one kept.
  const byQuality = [...candidates].sort((a, b) => qualityScore(b) - qualityScore(a) || a.index - b.index);
  const kept: Candidate[] = [];
  for (const c of byQuality) {
    const twin = kept.find((k) => validHash(k.phash) && validHash(c.phash) && hammingDistance(k.phash, c.phash) <= NEAR_DUPLICATE_BITS);
    if (twin) dropped.push({ mediaId: c.mediaId, reason: "A near-duplicate of a sharper or better-exposed photo." });
    else kept.push(c);
  }
  // Clearly unusable photos go only if enough good ones remain.
  const usable = kept.filter((c) => qualityScore(c) >= UNUSABLE_SCORE);
  const final = usable.length >= MIN_KEEP ? usable : kept;
  for (const c of kept) {
    if (!final.includes(c)) dropped.push({ mediaId: c.mediaId, reason: "Too blurry or badly exposed next to the others." });
  }
  return { shots: chronological(final).map(toShot), dropped };
}

/**
 * By capture time; a photo without one keeps its place relative to its neighbours in
 * the selection (it is placed right after the dated photo selected before it).
 */
function chronological(list: readonly Candidate[]): Candidate[] {
  const bySelection = [...list].sort((a, b) => a.index - b.index);
  const leading: Candidate[] = [];
  const followers = new Map<Candidate, Candidate[]>();
  let anchor: Candidate | null = null;
  for (const c of bySelection) {
    if (c.takenAt) {
      anchor = c;
      followers.set(c, []);
    } else if (anchor) followers.get(anchor)!.push(c);
    else leading.push(c);
  }
  const dated = [...followers.keys()].sort((a, b) => a.takenAt!.localeCompare(b.takenAt!) || a.index - b.index);
  return [...leading, ...dated.flatMap((d) => [d, ...followers.get(d)!])];
}

function toShot(c: Candidate): ChosenShot {
  return { mediaId: c.mediaId, takenAt: c.takenAt, score: qualityScore(c), sharpness: c.sharpness, exposure: c.exposure };
}

const validHash = (h: string) => /^[0-9a-f]{16}$/i.test(h);
