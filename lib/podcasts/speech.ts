// A text read aloud, without an AI key: the script (a title line and the cleaned text, at
// most ~20 minutes of speech) and its speech from espeak-ng as a WAV file. The seam for a
// better voice (Gemini TTS, not built yet) is `Speak`: same script in, a WAV file out.
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

/** Reads a script aloud into `wavPath`. */
export type Speak = (script: Script, wavPath: string, options: { voice: string; signal?: AbortSignal }) => Promise<void>;

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
  return async (script, wavPath, { voice, signal }) => {
    const textPath = `${wavPath}.txt`;
    await writeFile(textPath, script.text, "utf8");
    await run(bin, ["-v", voice, "-s", String(WORDS_PER_MINUTE), "-w", wavPath, "-f", textPath], signal);
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
