// The extract_content job: the readable article inside a web page (title, author, site,
// language, text) via Mozilla Readability — Firefox Reader View's engine — on a linkedom
// DOM (a light server-side DOM; jsdom would be ten times heavier for no gain here).
// Pages come from the caller's HTML or from safeFetch (safe-fetch.ts).
import { Readability } from "@mozilla/readability";
import { parseHTML } from "linkedom";
import { RejectedInputError } from "@/lib/errors";
import type { ExtractContentPayload, ExtractContentResult } from "./types";
import { LOCAL_PROVIDER, throwIfAborted, type JobOutcome, type Progress } from "./generate";
import { safeFetch, type SafeFetchOptions } from "./safe-fetch";
import { guessLanguage, truncate } from "./text";

/** Below this many non-space characters a page has nothing worth summarising. */
export const MIN_READABLE_CHARS = 25;
const EXCERPT_CHARS = 300;

const BLOCK = new Set(
  "address article aside blockquote dd details dialog div dl dt fieldset figcaption figure footer form h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section summary table tbody thead tfoot tr td th ul".split(
    " ",
  ),
);

interface DomNode {
  nodeType: number;
  nodeName: string;
  textContent: string | null;
  childNodes: ArrayLike<DomNode>;
}

/**
 * Text of an HTML fragment with its structure kept: one paragraph per block (p, li,
 * heading, cell…) separated by blank lines, so sentences and paragraphs survive for the
 * summariser. (Readability's own textContent runs headings into the next paragraph.)
 */
export function htmlToText(html: string): string {
  const { document } = parseHTML(`<!doctype html><html><body>${html}</body></html>`);
  const paragraphs: string[] = [];
  let current = "";
  const flush = () => {
    const p = current.replace(/[ \t\r\n\u00a0]+/g, " ").trim();
    if (p) paragraphs.push(p);
    current = "";
  };
  const walk = (node: DomNode) => {
    if (node.nodeType === 3) {
      current += node.textContent ?? "";
      return;
    }
    if (node.nodeType !== 1) return;
    const name = node.nodeName.toLowerCase();
    if (name === "script" || name === "style" || name === "noscript" || name === "template") return;
    if (name === "br") {
      current += "\n";
      return;
    }
    const block = BLOCK.has(name);
    if (block) flush();
    for (const child of Array.from(node.childNodes)) walk(child);
    if (block) flush();
  };
  walk(document.body as unknown as DomNode);
  flush();
  return paragraphs.join("\n\n");
}

/** Words, with each CJK character counted as one (Japanese has no spaces to count by). */
export function countWords(text: string): number {
  const cjk = text.match(/[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]/gu)?.length ?? 0;
  const other = text.match(/(?:(?![\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}])[\p{L}\p{N}])+/gu)?.length ?? 0;
  return cjk + other;
}

function clean(value: string | null | undefined): string | null {
  const v = value?.replace(/\s+/g, " ").trim();
  return v ? v : null;
}

const TITLE_SEPARATOR = /^\s*[|\-–—·:»/]\s*/;

/** "Headline | Site" → "Headline": drop the site's name, or use the h1 the title starts with. */
function tidyTitle(title: string, heading: string | null, siteName: string | null): string {
  if (heading && title.startsWith(heading) && TITLE_SEPARATOR.test(title.slice(heading.length))) return heading;
  if (siteName && title.endsWith(siteName)) {
    const head = title.slice(0, -siteName.length);
    const m = /\s*[|\-–—·:»/]\s*$/.exec(head);
    if (m && head.length > m[0].length) return head.slice(0, -m[0].length);
  }
  return title;
}

function noReadableText(source: string): RejectedInputError {
  return new RejectedInputError(
    "empty",
    `${source} has no readable text to extract. It may show its content only with JavaScript, or hold only images, links or a login form.`,
  );
}

/**
 * The article inside `html`. `url` is where it came from (kept in the result, and used as
 * the name in messages). Throws RejectedInputError("empty") when nothing readable is found.
 */
export function extractArticle(html: string, opts: { url?: string | null } = {}): ExtractContentResult {
  const source = opts.url ? `The page at ${opts.url}` : "This page";
  const wrapped = /<html[\s>]/i.test(html) ? html : `<!doctype html><html><head></head><body>${html}</body></html>`;
  const { document } = parseHTML(wrapped);
  const declaredLang =
    clean(document.documentElement?.getAttribute("lang")) ??
    clean(document.querySelector('meta[http-equiv="content-language" i]')?.getAttribute("content"));
  const pageTitle = clean(document.querySelector("title")?.textContent);
  const firstHeading = clean(document.querySelector("h1")?.textContent);

  // Readability changes the DOM it reads; nothing below uses `document` again.
  const article = new Readability(document as unknown as Document, { charThreshold: 200 }).parse();
  let text = article?.content ? htmlToText(article.content) : "";
  const title = tidyTitle(clean(article?.title) ?? firstHeading ?? pageTitle ?? "", firstHeading, clean(article?.siteName));
  // Readability keeps the headline as the first block; the title is reported on its own.
  const [first, ...rest] = text.split("\n\n");
  if (title && first && (first === title || first === firstHeading) && rest.length) text = rest.join("\n\n");
  if (text.replace(/\s/g, "").length < MIN_READABLE_CHARS) throw noReadableText(source);

  const excerpt = clean(article?.excerpt) ?? text.split("\n\n")[0];
  return {
    title: title || truncate(text.split("\n\n")[0], 120),
    byline: clean(article?.byline?.replace(/^\s*by\s+/i, "")),
    siteName: clean(article?.siteName),
    lang: declaredLang ?? clean(article?.lang) ?? guessLanguage(text),
    text,
    excerpt: truncate(excerpt, EXCERPT_CHARS),
    wordCount: countWords(text),
    url: opts.url ?? null,
  };
}

/** A text/plain page: the first line is its title when it looks like one. */
export function articleFromText(body: string, opts: { url?: string | null } = {}): ExtractContentResult {
  const text = body.replace(/\r\n?/g, "\n").replace(/\n{3,}/g, "\n\n").trim();
  if (text.replace(/\s/g, "").length < MIN_READABLE_CHARS) throw noReadableText(opts.url ? `The page at ${opts.url}` : "This text");
  const firstLine = text.split("\n")[0].trim();
  const hasTitle = firstLine.length <= 120 && !/[.。!?！？]$/.test(firstLine) && text.includes("\n");
  return {
    title: hasTitle ? firstLine : truncate(firstLine, 120),
    byline: null,
    siteName: null,
    lang: guessLanguage(text),
    text,
    excerpt: truncate(text.split(/\n\s*\n/)[hasTitle ? 1 : 0] ?? text, EXCERPT_CHARS),
    wordCount: countWords(text),
    url: opts.url ?? null,
  };
}

/**
 * Fetches `url` safely and extracts its article (HTML through Readability, plain text as
 * is). `fetched` runs between the two: the page has arrived, its reading begins.
 */
export async function fetchArticle(url: string, fetchOptions: SafeFetchOptions = {}, fetched?: () => Promise<void>): Promise<ExtractContentResult> {
  const page = await safeFetch(url, fetchOptions);
  await fetched?.();
  throwIfAborted(fetchOptions.signal);
  return page.mimeType === "text/plain" ? articleFromText(page.body, { url: page.url }) : extractArticle(page.body, { url: page.url });
}

export interface ExtractDeps {
  /** Options for fetching `{ url }` payloads (allowPrivateHosts, limits, resolver). */
  fetch?: SafeFetchOptions;
  signal?: AbortSignal;
  /** A `{ url }` payload reports 50 once the page has arrived (fetching → reading). */
  progress?: Progress;
}

/** Where an extract_content job of a page stands once the page has arrived and is being read. */
export const EXTRACT_FETCHED = 50;

/** Runs an extract_content payload. */
export async function extractContent(payload: ExtractContentPayload, deps: ExtractDeps = {}): Promise<JobOutcome<ExtractContentResult>> {
  throwIfAborted(deps.signal);
  const result =
    "url" in payload && payload.url !== undefined
      ? await fetchArticle(payload.url, { field: "payload.url", ...deps.fetch, signal: deps.signal ?? deps.fetch?.signal }, async () => {
          await deps.progress?.(EXTRACT_FETCHED);
        })
      : extractArticle((payload as { html: string }).html);
  return { result, provider: LOCAL_PROVIDER };
}
