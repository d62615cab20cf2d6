// The describer used when no AI service is configured. From the numbers the image step
// measured (brightness, saturation, dominant colours, EXIF) it describes how a photo
// looks; scene words are worded as impressions ("the colours suggest open sky") so nobody
// mistakes them for recognition. When the worker hands it a local vision model
// (lib/ai/vision), what that model recognised — COCO's 80 kinds of objects and faces —
// leads the caption and the tags, and the provider says so ("local:centernet").
// Deterministic: the same features (and detections) always give the same caption and tags.
import { COOL_COLOURS, colourName, WARM_COLOURS, type ColourName } from "./colour";
import { clipCaption, normaliseTags } from "./normalise";
import type { AiProvider, Description, ExifSummary, ImageFeatures } from "./types";
import { seenPhrase, seenTags, summarise, type Seen } from "./vision/describe";
import type { VisionModel } from "./vision/types";

export const LOCAL_PROVIDER = "local";

// Thresholds on the 0..1 means the image step reports. Chosen so an ordinary daylight
// photo gets no adjective at all; only clear cases are called out.
const DARK_BELOW = 0.3;
const BRIGHT_ABOVE = 0.65;
const MONOCHROME_BELOW = 0.06;
const MUTED_BELOW = 0.2;
const VIVID_ABOVE = 0.5;
/** Exposure (s) / ISO past which a photo was probably shot in the dark. */
const LONG_EXPOSURE_S = 0.25;
const HIGH_ISO = 3200;

export interface LocalProviderOptions {
  /** A local vision model (the worker passes one unless LOCAL_VISION=off). */
  vision?: VisionModel;
  /**
   * The model failed (not installed, out of memory): the photo is still described from
   * its colours and EXIF, labelled "local", and this is told why.
   */
  onVisionError?: (err: Error) => void;
}

export function createLocalProvider(options: LocalProviderOptions = {}): AiProvider {
  const { vision, onVisionError } = options;
  return {
    name: vision ? vision.provider : LOCAL_PROVIDER,
    describe: async (input, signal) => {
      if (!vision || !input.pixels) return describeFeatures(input.features);
      let seen: Seen;
      try {
        seen = summarise(await vision.detect(input.pixels, signal));
      } catch (err) {
        if (signal?.aborted) throw err;
        onVisionError?.(err as Error);
        return describeFeatures(input.features);
      }
      return describeFeatures(input.features, { seen, provider: vision.provider });
    },
  };
}

/**
 * The whole describer as a pure function, for tests and for callers without a JPEG. With
 * `vision`, what the model recognised leads the caption and the tags.
 */
export function describeFeatures(f: ImageFeatures, vision?: { seen: Seen; provider: string }): Description {
  const lightWord = f.brightness < DARK_BELOW ? "dark" : f.brightness > BRIGHT_ABOVE ? "bright" : null;
  const colourWord =
    f.saturation < MONOCHROME_BELOW
      ? "monochrome"
      : f.saturation < MUTED_BELOW
        ? "muted"
        : f.saturation > VIVID_ABOVE
          ? "vivid"
          : null;
  const monochrome = colourWord === "monochrome";

  const names = dominantNames(f.colours);
  const scenes = monochrome ? [] : sceneImpressions(names, f.brightness);
  const tone = monochrome || !names[0] ? null : WARM_COLOURS.has(names[0]) ? "warm tones" : COOL_COLOURS.has(names[0]) ? "cool tones" : null;

  const exif = f.exif ?? {};
  const camera = cameraLabel(exif);
  const year = takenYear(exif.takenAt);
  const night = shotAtNight(exif, f.brightness);

  const format = f.orientation === "square" ? "square" : `${f.orientation}-format`;
  const subject = [[lightWord, colourWord].filter(Boolean).join(", "), format, "photo"].filter(Boolean).join(" ");
  const colours = names.length ? ` dominated by ${names.join(" and ")}` : "";
  const impression = scenes.length ? `; the colours suggest ${scenes.map((s) => s.phrase).join(" and ")}` : "";
  const when = exifPhrase(camera, year, night);
  const phrase = vision ? seenPhrase(vision.seen) : null;
  // What was recognised comes first; the colour impressions then add nothing a reader needs.
  const caption = phrase
    ? clipCaption(`${capitalise(phrase)}, in ${article(subject)} ${subject}${colours}${when ? ` — ${when}` : ""}.`)
    : clipCaption(`${article(subject, true)} ${subject}${colours}${impression}${when ? ` — ${when}` : ""}.`);

  const tags = normaliseTags(
    [
      ...(vision ? seenTags(vision.seen) : []),
      format,
      lightWord,
      colourWord,
      ...names,
      tone,
      ...scenes.map((s) => s.tag),
      night ? "night" : null,
      tidyMake(exif.cameraMake ?? ""),
      year ? String(year) : null,
      isGeotagged(exif) ? "geotagged" : null,
    ].filter((t): t is string => !!t),
  );

  return { caption, tags, provider: vision?.provider ?? LOCAL_PROVIDER };
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** The first two distinct colour names, most dominant first. */
function dominantNames(colours: readonly string[]): ColourName[] {
  const names: ColourName[] = [];
  for (const hex of colours) {
    const name = colourName(hex);
    if (name && !names.includes(name)) names.push(name);
    if (names.length === 2) break;
  }
  return names;
}

interface Scene {
  tag: string;
  phrase: string;
}

/** Guesses from colour alone; each is something the colours are typical of, no more. */
function sceneImpressions(names: readonly ColourName[], brightness: number): Scene[] {
  const [first, second] = names;
  const scenes: Scene[] = [];
  const pale = first === "white" || first === "grey";
  if (brightness >= 0.5 && (first === "blue" || (pale && second === "blue"))) {
    scenes.push({ tag: "sky", phrase: "open sky" });
  }
  if (first === "green") {
    scenes.push({ tag: "greenery", phrase: "greenery" });
  }
  if (first && WARM_COLOURS.has(first) && brightness < 0.35) {
    scenes.push({ tag: "evening light", phrase: "evening or lamp light" });
  }
  return scenes;
}

/** A long exposure or high ISO only means night if the picture is also darkish. */
function shotAtNight(exif: ExifSummary, brightness: number): boolean {
  const long = (exif.exposureTime ?? 0) >= LONG_EXPOSURE_S;
  const highIso = (exif.iso ?? 0) >= HIGH_ISO;
  return (long || highIso) && brightness < 0.45;
}

function exifPhrase(camera: string | undefined, year: number | undefined, night: boolean): string {
  if (!camera && !year) return night ? "probably taken at night" : "";
  let text = camera ? `taken on ${article(camera)} ${camera}` : "taken";
  if (year) text += ` in ${year}`;
  if (night) text += ", probably at night";
  return text;
}

/**
 * "Canon" + "Canon EOS R5" → "Canon EOS R5"; "NIKON CORPORATION" + "NIKON Z 6" →
 * "Nikon Z 6"; "Apple" + "iPhone 15 Pro" → "Apple iPhone 15 Pro".
 */
export function cameraLabel(exif: Pick<ExifSummary, "cameraMake" | "cameraModel">): string | undefined {
  const make = tidyMake(exif.cameraMake ?? "");
  const model = (exif.cameraModel ?? "").replace(/\s+/g, " ").trim();
  if (!model) return make || undefined;
  if (!make) return model;
  const brand = make.split(" ")[0];
  if (model.toLowerCase().startsWith(brand.toLowerCase())) return brand + model.slice(brand.length);
  return `${make} ${model}`;
}

/** EXIF makes are often shouty legal names ("OLYMPUS IMAGING CORP."); keep the brand. */
export function tidyMake(raw: string): string {
  let make = raw.replace(/\s+/g, " ").trim();
  const suffix = /[,\s]+(corporation|corp\.?|company|co\.?|ltd\.?|inc\.?|gmbh|ag|imaging|camera)$/i;
  while (suffix.test(make)) make = make.replace(suffix, "");
  // Only all-caps words longer than three letters are recased: "SONY" → "Sony" but
  // "LG", "DJI" and "HTC" are initialisms and stay as they are.
  return make
    .split(" ")
    .filter(Boolean)
    .map((w) => ((w === w.toUpperCase() && w.length > 3) || w === w.toLowerCase() ? w[0].toUpperCase() + w.slice(1).toLowerCase() : w))
    .join(" ");
}

/** Read from the string so a timestamp near midnight is not moved a year by time zones. */
function takenYear(takenAt: string | undefined): number | undefined {
  const year = Number(/^(\d{4})-/.exec(takenAt ?? "")?.[1]);
  return year >= 1900 && year <= 2100 ? year : undefined;
}

/** (0, 0) is what some cameras write when they have no fix, so it does not count. */
function isGeotagged(exif: ExifSummary): boolean {
  const { latitude: lat, longitude: lon } = exif;
  return Number.isFinite(lat) && Number.isFinite(lon) && !(lat === 0 && lon === 0);
}

function article(next: string, capital = false): string {
  const a = /^[aeiou]/i.test(next) ? "an" : "a";
  return capital ? a[0].toUpperCase() + a.slice(1) : a;
}
