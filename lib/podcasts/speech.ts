// A text read aloud: the script (a title line and the cleaned text, at most ~20 minutes of
// speech) and its speech as a WAV file. The seam is `Speak` (same script in, a WAV file
// out): espeak-ng without an AI key, or a provider's voice (Gemini TTS) through `pcmSpeak`,
// which reads the script in pieces and writes the PCM it gets back as one WAV.
import { execFile } from "node:child_process";
import { open, writeFile } from "node:fs/promises";
import { ConflictError, InvalidInputError } from "@/lib/errors";

/** espeak-ng's rate in words per minute (-s); also what the length limit is measured in. */
export const WORDS_PER_MINUTE = 160;
/** The longest script read aloud: longer texts are refused, not cut off mid-argument. */
export const MAX_SPEECH_MINUTES = 20;
export const DEFAULT_VOICE = "en-us";
const MAX_TITLE_CHARS = 120;

/** A refusal about one payload field; the job's error message names the field too. */
const invalid = (field: string, message: string) => new InvalidInputError({ [field]: message }, `${field}: ${message}`);

export interface Script {
  title: string;
  /** What is read aloud: the title, a pause, then the text. */
  text: string;
  words: number;
}

/**
 * The script for a source text. `title` (a page's) wins; otherwise a short first line of the
 * text is the title, or its first words. `field` names the payload field a refusal is about.
 */
export function buildScript(source: { text: string; title: string | null }, field = "payload.text"): Script {
  const paragraphs = source.text
    .replace(/\r\n?/g, "\n")
    .split(/\n\s*\n/)
    .map(cleanLine)
    .filter(Boolean);
  if (paragraphs.length === 0) throw invalid(field, "There is no text to read aloud.");
  let title = source.title ? cleanLine(source.title) : "";
  if (!title) {
    const firstLine = cleanLine(source.text.trim().split("\n")[0] ?? "");
    if (firstLine.length <= MAX_TITLE_CHARS && paragraphs.length > 1 && firstLine === paragraphs[0]) {
      title = firstLine;
      paragraphs.shift();
    } else {
      const words = paragraphs[0].split(" ");
      title = words.slice(0, 8).join(" ") + (words.length > 8 ? "…" : "");
    }
  }
  title = [...title].slice(0, MAX_TITLE_CHARS).join("").replace(/[.:;,]+$/, "");
  const text = [`${title}.`, ...paragraphs].join("\n\n");
  const words = text.split(/\s+/).filter(Boolean).length;
  const minutes = words / WORDS_PER_MINUTE;
  if (minutes > MAX_SPEECH_MINUTES) {
    throw invalid(
      field,
      `This text would take about ${Math.round(minutes)} minutes to read aloud; an episode may be at most ${MAX_SPEECH_MINUTES} minutes (about ${MAX_SPEECH_MINUTES * WORDS_PER_MINUTE} words). Send a shorter text.`,
    );
  }
  return { title, text, words };
}

/** One line of speech: markup symbols and links out, whitespace collapsed. */
function cleanLine(s: string): string {
  return (
    s
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, " ")
      .replace(/!?\[([^\]]*)\]\([^)]*\)/g, "$1") // [label](url) → label
      .replace(/https?:\/\/\S+/g, " ")
      .replace(/[#*_`>|~]+/g, " ")
      .replace(/\s+/g, " ")
      .trim()
  );
}

/** Who read a script aloud ("local:espeak-ng", "gemini:<model>"). */
export interface Spoken {
  provider: string;
}

export interface SpeakOptions {
  /** An espeak-ng voice (chooseVoice); a provider's voice is the `say` function's own business. */
  voice: string;
  signal?: AbortSignal;
  /** Told after each piece of the script is spoken: `done` of `total`. */
  progress?: (done: number, total: number) => Promise<void>;
}

/** Reads a script aloud into `wavPath`. */
export type Speak = (script: Script, wavPath: string, options: SpeakOptions) => Promise<Spoken>;

/** One piece of a script spoken by a provider: raw 16-bit mono PCM; null when it is the local voice's turn. */
export type SayPcm = (text: string, signal?: AbortSignal) => Promise<{ pcm: Buffer; sampleRate: number; provider: string } | null>;

/** Words per piece sent to a speech provider: about two minutes of speech, well inside a TTS model's limits. */
export const WORDS_PER_PIECE = 350;

/** The script in pieces of at most `maxWords`, split between paragraphs (or, for a very long paragraph, between sentences). */
export function scriptPieces(text: string, maxWords = WORDS_PER_PIECE): string[] {
  const units = text
    .split(/\n\s*\n/)
    .flatMap((p) => (p.split(/\s+/).length > maxWords ? (p.match(/[^.!?。！？]+[.!?。！？]*\s*/g) ?? [p]) : [p]))
    .map((u) => u.trim())
    .filter(Boolean);
  const pieces: string[] = [];
  let current: string[] = [];
  let words = 0;
  for (const unit of units) {
    const n = unit.split(/\s+/).length;
    if (current.length && words + n > maxWords) {
      pieces.push(current.join("\n\n"));
      current = [];
      words = 0;
    }
    current.push(unit);
    words += n;
  }
  if (current.length) pieces.push(current.join("\n\n"));
  return pieces;
}

/** A 16-bit mono PCM WAV file of `pcm` at `sampleRate`. */
export async function writePcmWav(path: string, pcm: readonly Buffer[], sampleRate: number): Promise<void> {
  const size = pcm.reduce((n, b) => n + b.length, 0);
  const head = Buffer.alloc(44);
  head.write("RIFF", 0, "ascii");
  head.writeUInt32LE(36 + size, 4);
  head.write("WAVE", 8, "ascii");
  head.write("fmt ", 12, "ascii");
  head.writeUInt32LE(16, 16); // fmt chunk size
  head.writeUInt16LE(1, 20); // PCM
  head.writeUInt16LE(1, 22); // mono
  head.writeUInt32LE(sampleRate, 24);
  head.writeUInt32LE(sampleRate * 2, 28); // byte rate
  head.writeUInt16LE(2, 32); // block align
  head.writeUInt16LE(16, 34); // bits per sample
  head.write("data", 36, "ascii");
  head.writeUInt32LE(size, 40);
  await writeFile(path, Buffer.concat([head, ...pcm]));
}

/**
 * A provider's voice: the script is spoken piece by piece through `say` and written as one
 * WAV. If `say` hands a piece to the local voice (the provider failed and the chain's local
 * turn came), the whole script is read by `local` instead — one voice per episode.
 */
export function pcmSpeak(say: SayPcm, local: Speak): Speak {
  return async (script, wavPath, options) => {
    const pieces = scriptPieces(script.text);
    const pcm: Buffer[] = [];
    let rate = 0;
    let provider = "";
    for (const [i, piece] of pieces.entries()) {
      options.signal?.throwIfAborted();
      const spoken = await say(piece, options.signal);
      if (!spoken) return local(script, wavPath, options);
      if (rate && spoken.sampleRate !== rate) throw new Error(`The speech came back at ${spoken.sampleRate} Hz after ${rate} Hz; cannot join the pieces.`);
      rate = spoken.sampleRate;
      provider = spoken.provider;
      pcm.push(spoken.pcm);
      await options.progress?.(i + 1, pieces.length);
    }
    await writePcmWav(wavPath, pcm, rate);
    return { provider };
  };
}

const NOT_INSTALLED = "Speech synthesis is not installed on this server (espeak-ng). Ask its administrator to install espeak-ng.";

function run(bin: string, args: string[], signal?: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(bin, args, { signal, maxBuffer: 4 * 1024 * 1024, timeout: 10 * 60_000 }, (err, stdout) => {
      if (!err) return resolve(stdout);
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return reject(new ConflictError("speech_not_installed", NOT_INSTALLED));
      reject(err);
    });
  });
}

let voiceCache: Promise<Set<string>> | null = null;

/** The voices espeak-ng knows: its language codes (en-us) and voice names (English_(America)). */
export function espeakVoices(bin = "espeak-ng"): Promise<Set<string>> {
  voiceCache ??= run(bin, ["--voices"]).then(
    (out) =>
      new Set(
        out
          .split("\n")
          .slice(1)
          .flatMap((line) => {
            const cols = line.trim().split(/\s+/);
            return cols.length >= 4 ? [cols[1].toLowerCase(), cols[3].toLowerCase()] : [];
          }),
      ),
    (err) => {
      voiceCache = null;
      throw err;
    },
  );
  return voiceCache;
}

/** The voice to use: the one asked for if espeak-ng has it, else a readable refusal. */
export async function chooseVoice(voice: string | undefined, bin = "espeak-ng"): Promise<string> {
  if (!voice) return DEFAULT_VOICE;
  const known = await espeakVoices(bin);
  if (!known.has(voice.toLowerCase())) {
    throw invalid("payload.voice", `This server has no voice "${voice}". Use a language code such as "en-us", "en-gb", "de" or "fr".`);
  }
  return voice.toLowerCase();
}

/** espeak-ng: a robotic but intelligible voice, offline, for servers without an AI key. */
export function espeakSpeak(bin = "espeak-ng"): Speak {
  return async (script, wavPath, { voice, signal, progress }) => {
    const textPath = `${wavPath}.txt`;
    await writeFile(textPath, script.text, "utf8");
    await run(bin, ["-v", voice, "-s", String(WORDS_PER_MINUTE), "-w", wavPath, "-f", textPath], signal);
    await progress?.(1, 1);
    return { provider: "local:espeak-ng" };
  };
}

/** A PCM WAV file's length in seconds, from its header; undefined when unreadable. */
export async function wavDurationSeconds(path: string): Promise<number | undefined> {
  const file = await open(path, "r");
  try {
    const { size } = await file.stat();
    const head = Buffer.alloc(44);
    await file.read(head, 0, 44, 0);
    if (head.toString("ascii", 0, 4) !== "RIFF" || head.toString("ascii", 8, 12) !== "WAVE") return undefined;
    const byteRate = head.readUInt32LE(28);
    if (!byteRate) return undefined;
    return Math.round(((size - 44) / byteRate) * 10) / 10;
  } finally {
    await file.close();
  }
}
