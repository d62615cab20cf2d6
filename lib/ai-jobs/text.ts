// Text primitives shared by the AI job types: sentences, terms and TF-IDF vectors, for
// English (and other space-separated scripts) and Japanese/Chinese (character bigrams).
//
// Why bigrams for CJK: Japanese has no spaces and no tokenizer ships with Node; overlapping
// character bigrams are the standard dictionary-free unit for retrieval and match words like
// 優先/先度 well enough for ranking and overlap. Bigrams of hiragana only are dropped: they
// are mostly particles and verb endings (です, して), the CJK equivalent of stopwords.

const HAN = /\p{Script=Han}|[々〆ヶ]/u;
const HIRAGANA = /\p{Script=Hiragana}/u;
const KATAKANA = /\p{Script=Katakana}|ー/u;
const CJK_CLASS = "\\p{Script=Han}\\p{Script=Hiragana}\\p{Script=Katakana}々〆ヶー";
const NOT_CJK = `(?![${CJK_CLASS}])`;
// A token is a CJK run, a number ("3.5", "40%"), or a word of any other script (CJK letters
// are \p{L} too, so words stop where a CJK run starts: "AIの" → "AI", "の"). Hyphenated
// words stay whole ("bike-share", "e-bikes").
const TOKEN = new RegExp(
  `[${CJK_CLASS}]+|\\p{N}+(?:[.,]\\p{N}+)*%?|${NOT_CJK}[\\p{L}\\p{N}](?:${NOT_CJK}[\\p{L}\\p{M}\\p{N}])*(?:['’]\\p{L}+|-${NOT_CJK}[\\p{L}\\p{N}]+)*`,
  "gu",
);

/** Words that carry no topic. Negations are kept on purpose: "not approved" ≠ "approved". */
export const ENGLISH_STOPWORDS: ReadonlySet<string> = new Set(
  (
    "a about above after again against all also am an and any are aren't as at be because been before being below " +
    "between both but by can could did do does doing down during each few for from further had has have having he " +
    "her here hers herself him himself his how i if in into is it it's its itself just let's me more most my myself " +
    "of off on once only or other ought our ours ourselves out over own same she should so some such than that " +
    "that's the their theirs them themselves then there there's these they this those through to too under until " +
    "up very was we were what what's when where which while who whom why will with would you your yours yourself " +
    "yourselves may might must shall us one two also however yet still even much many well often per via upon " +
    "within across among around s t"
  ).split(" "),
);

/** Common words that make poor key terms though they are not stopwords ("first", "said"). */
export const WEAK_WORDS: ReadonlySet<string> = new Set(
  (
    "first second third last next new said says say told according year years month months week weeks day days " +
    "time times people way lot part number another although though whether since dr mr mrs ms prof"
  ).split(" "),
);

const NEGATION = /\b(?:not|no|never|none|nobody|nothing|neither|nor|without|cannot)\b|n't\b/i;
/** True when an English sentence says something is not so (used to spot flipped claims). */
export function hasNegation(sentence: string): boolean {
  return NEGATION.test(sentence) || /(?:ない|ません|ず[、。]|なかった)/u.test(sentence);
}

export function isCjkChar(ch: string): boolean {
  return HAN.test(ch) || HIRAGANA.test(ch) || KATAKANA.test(ch);
}

/** Share of letters that are CJK: > 0.3 means the text is mainly Japanese or Chinese. */
export function cjkRatio(text: string): number {
  let cjk = 0;
  let letters = 0;
  for (const ch of text) {
    if (/\p{L}/u.test(ch)) {
      letters++;
      if (isCjkChar(ch)) cjk++;
    }
  }
  return letters ? cjk / letters : 0;
}

/** A best guess at the text's language: "ja", "zh", "ko" or "en" (any Latin script). */
export function guessLanguage(text: string): "ja" | "zh" | "ko" | "en" {
  const sample = text.slice(0, 5_000);
  if (/[\p{Script=Hiragana}\p{Script=Katakana}]/u.test(sample) && cjkRatio(sample) > 0.2) return "ja";
  if (cjkRatio(sample) > 0.3) return "zh";
  if ((sample.match(/\p{Script=Hangul}/gu)?.length ?? 0) > sample.length * 0.2) return "ko";
  return "en";
}

/** English plural folding only: "queues"→"queue", "priorities"→"priority". Safe and cheap. */
export function fold(word: string): string {
  if (word.length > 4 && word.endsWith("ies")) return word.slice(0, -3) + "y";
  if (word.length > 3 && word.endsWith("s") && !/(?:ss|us|is|ys|'s)$/.test(word)) return word.slice(0, -1);
  return word;
}

export interface TokenizeOptions {
  /** Keep English stopwords (default false). */
  keepStopwords?: boolean;
}

/**
 * Terms of a text for ranking and overlap: lower-cased, NFKC-normalised (full-width Latin and
 * half-width katakana become ordinary), English stopwords removed and plurals folded, numbers
 * kept whole ("3.5", "40%"), CJK runs as character bigrams (a lone kanji stays one term).
 */
export function tokenize(text: string, options: TokenizeOptions = {}): string[] {
  const out: string[] = [];
  const normal = text.normalize("NFKC").toLowerCase();
  for (const m of normal.matchAll(TOKEN)) {
    const t = m[0];
    if (isCjkChar(t[0])) {
      const chars = [...t];
      if (chars.length === 1) {
        if (!HIRAGANA.test(chars[0])) out.push(chars[0]);
        continue;
      }
      for (let i = 0; i + 1 < chars.length; i++) {
        if (HIRAGANA.test(chars[i]) && HIRAGANA.test(chars[i + 1])) continue;
        out.push(chars[i] + chars[i + 1]);
      }
      continue;
    }
    const word = t.replace(/’/g, "'").replace(/'s$/, "");
    if (!options.keepStopwords && ENGLISH_STOPWORDS.has(word)) continue;
    out.push(/^\p{N}/u.test(word) ? word : fold(word));
  }
  return out;
}

/** Words and CJK runs as they appear (for key phrases); stopwords flagged, not removed. */
export function words(text: string): { word: string; stop: boolean; cjk: boolean }[] {
  const out: { word: string; stop: boolean; cjk: boolean }[] = [];
  for (const m of text.normalize("NFKC").matchAll(TOKEN)) {
    const w = m[0];
    const cjk = isCjkChar(w[0]);
    out.push({ word: w, cjk, stop: !cjk && ENGLISH_STOPWORDS.has(w.toLowerCase().replace(/’/g, "'")) });
  }
  return out;
}

/** Runs of kanji or katakana (≥ 2 characters): Japanese noun-like units for key phrases. */
export function cjkNounRuns(text: string): string[] {
  const out: string[] = [];
  for (const m of text.normalize("NFKC").matchAll(/[\p{Script=Han}々〆ヶ]{2,}|[\p{Script=Katakana}ー]{2,}/gu)) {
    out.push(m[0]);
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// Sentences

export interface Sentence {
  text: string;
  /** Position among all sentences of the text. */
  index: number;
  /** Which paragraph (blank-line separated block) it came from. */
  paragraph: number;
  /** First sentence of its paragraph. */
  leads: boolean;
}

/** Abbreviations that never end a sentence when followed by more text ("Dr. Smith"). */
const ABBREV_NEVER_END = new Set(
  (
    "mr mrs ms mx dr prof sr jr st vs v e.g i.e cf fig figs eq approx dept est al gen gov sen rep rev mt ave blvd " +
    "vol vols pp ed eds op ch sec art ref refs lt col capt sgt cmdr adm hon messrs mme mlle"
  ).split(" "),
);
/** Abbreviations that often end a sentence too ("… at 9 a.m. The next day"). */
const ABBREV_MAY_END = new Set(
  "etc inc ltd co corp llc plc a.m p.m u.s u.k u.n e.u jan feb mar apr jun jul aug sep sept oct nov dec no".split(" "),
);
const CLOSERS = `"'”’」』）)]】〉》`;
const CJK_TERMINAL = "。！？｡";

function endsSentenceAtPeriod(before: string, after: string): boolean {
  // Text glued to the period ("3.14", "example.com", "U.S.A.") is not a boundary.
  if (after.length && !/^\s/.test(after)) return isCjkChar(after[0]);
  const next = after.trimStart();
  if (!next) return true;
  if (/^\p{Ll}/u.test(next)) return false; // "approx. five", unknown abbreviations
  const word = (/([\p{L}\p{N}.]+)$/u.exec(before)?.[1] ?? "").toLowerCase();
  if (!word) return true;
  if (ABBREV_NEVER_END.has(word)) return false;
  if (/^\p{L}$/u.test(word) && /^\p{Lu}/u.test(next)) return false; // initials: "J. K. Rowling"
  if (ABBREV_MAY_END.has(word)) {
    if (word === "no") return !/^\p{N}/u.test(next); // "No. 5" vs "I said no."
    // Ends the sentence when the next word is a typical sentence opener ("The", "It", "In").
    const nextWord = (/^["'“‘(]?([\p{L}']+)/u.exec(next)?.[1] ?? "").toLowerCase();
    return ENGLISH_STOPWORDS.has(nextWord);
  }
  return true;
}

function splitParagraph(p: string): string[] {
  const out: string[] = [];
  let start = 0;
  let i = 0;
  const push = (end: number) => {
    const s = p.slice(start, end).trim();
    if (s) out.push(s);
    start = end;
  };
  while (i < p.length) {
    const ch = p[i];
    if (CJK_TERMINAL.includes(ch) || ch === "!" || ch === "?" || ch === "！" || ch === "？") {
      let j = i + 1;
      while (j < p.length && (CJK_TERMINAL.includes(p[j]) || "!?！？".includes(p[j]) || CLOSERS.includes(p[j]))) j++;
      const quoted = j > i + 1 && CLOSERS.includes(p[j - 1]);
      const rest = p.slice(j, j + 8).trimStart();
      // A quotation inside a sentence goes on: 「はい。」と答えた / "Done?" she asked.
      const continues = quoted && (/^\p{Ll}/u.test(rest) || /^\p{Script=Hiragana}/u.test(rest));
      const cjk = CJK_TERMINAL.includes(ch) || ch === "！" || ch === "？";
      if (!continues && (cjk || j >= p.length || /\s/.test(p[j]) || isCjkChar(p[j]))) push(j);
      i = j;
      continue;
    }
    if (ch === "." || ch === "…") {
      let j = i + 1;
      while (j < p.length && (p[j] === "." || p[j] === "…")) j++;
      const ellipsis = j - i > 1 || ch === "…";
      while (j < p.length && CLOSERS.includes(p[j])) j++;
      const after = p.slice(j, j + 40);
      if (ellipsis ? after.trim() === "" || /^\s+\p{Lu}/u.test(after) : endsSentenceAtPeriod(p.slice(Math.max(start, i - 40), i), after)) {
        push(j);
      }
      i = j;
      continue;
    }
    i++;
  }
  push(p.length);
  return out;
}

/**
 * Splits text into sentences. Handles English abbreviations ("Dr.", "e.g.", "U.S."),
 * initials, decimals, ellipses, closing quotes after the stop, and Japanese 。！？ (no space
 * needed after them). Paragraphs are blank-line separated; inside one, line breaks are soft
 * (hard-wrapped text) unless the next line is a list item.
 */
export function splitSentencesDetailed(text: string): Sentence[] {
  const out: Sentence[] = [];
  const paragraphs = text
    .replace(/\r\n?/g, "\n")
    .split(/\n[ \t]*\n+|\n(?=[ \t]*(?:[-*•・●]|\d{1,3}[.)])[ \t])/);
  let paragraph = 0;
  for (const raw of paragraphs) {
    // Join soft line breaks: a space between words, nothing between CJK characters.
    const p = raw
      .replace(/([\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}ー。、])[ \t]*\n[ \t]*(?=[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}ー])/gu, "$1")
      .replace(/\s*\n\s*/g, " ")
      .replace(/[ \t\u00a0]+/g, " ")
      .trim();
    if (!p) continue;
    const sentences = splitParagraph(p);
    sentences.forEach((s, k) => out.push({ text: s, index: out.length, paragraph, leads: k === 0 }));
    paragraph++;
  }
  return out;
}

export function splitSentences(text: string): string[] {
  return splitSentencesDetailed(text).map((s) => s.text);
}

/** Joins sentences back into prose: no space after a CJK full stop, one space otherwise. */
export function joinSentences(sentences: string[]): string {
  let out = "";
  for (const s of sentences) {
    if (!out) out = s;
    else if (/[。！？｡」』）]$/u.test(out) || (isCjkChar(out.at(-1) ?? "") && isCjkChar(s[0]))) out += s;
    else out += " " + s;
  }
  return out;
}

/** Shortens to at most `max` characters at a word (or CJK character) boundary, with "…". */
export function truncate(text: string, max: number): string {
  const chars = [...text];
  if (chars.length <= max) return text;
  let cut = chars.slice(0, max - 1).join("");
  const space = cut.lastIndexOf(" ");
  if (space > max * 0.6) cut = cut.slice(0, space);
  return cut.replace(/[\s,;:、，]+$/u, "") + "…";
}

// ---------------------------------------------------------------------------------------
// TF-IDF

export type Vector = Map<string, number>;

export function termCounts(tokens: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const t of tokens) counts.set(t, (counts.get(t) ?? 0) + 1);
  return counts;
}

/** Smoothed IDF (as scikit-learn): ln((1+N)/(1+df)) + 1, so shared terms never vanish. */
export function inverseDocumentFrequency(docs: readonly (readonly string[])[]): (term: string) => number {
  const df = new Map<string, number>();
  for (const doc of docs) for (const t of new Set(doc)) df.set(t, (df.get(t) ?? 0) + 1);
  const n = docs.length;
  return (term) => Math.log((1 + n) / (1 + (df.get(term) ?? 0))) + 1;
}

/** L2-normalised TF-IDF vectors (sublinear tf: 1 + ln count), one per document. */
export function tfidfVectors(docs: readonly (readonly string[])[]): Vector[] {
  const idf = inverseDocumentFrequency(docs);
  return docs.map((doc) => {
    const v: Vector = new Map();
    let norm = 0;
    for (const [t, c] of termCounts(doc)) {
      const w = (1 + Math.log(c)) * idf(t);
      v.set(t, w);
      norm += w * w;
    }
    norm = Math.sqrt(norm);
    if (norm > 0) for (const [t, w] of v) v.set(t, w / norm);
    return v;
  });
}

/** Cosine of two L2-normalised vectors, clamped to 0..1. */
export function cosine(a: Vector, b: Vector): number {
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  let dot = 0;
  for (const [t, w] of small) {
    const o = large.get(t);
    if (o !== undefined) dot += w * o;
  }
  return Math.min(1, Math.max(0, dot));
}
