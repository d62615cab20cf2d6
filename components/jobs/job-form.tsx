"use client";

// "Try a job": pick a type, fill in the fields its payload takes (lib/ai-jobs/types.ts),
// choose a priority, and send it to POST /api/v1/jobs. The API is
// the judge of what is valid: its 422 names each bad field, and the message appears under
// that field (the form does not validate on its own, so what you see is what the API says).
import Link from "next/link";
import { useEffect, useId, useRef, useState } from "react";
import useSWR from "swr";
import { AI_JOB_INFO, type AiJobType } from "@/lib/ai-jobs/catalogue";
import type { JobView } from "@/lib/ai-jobs/view";
import type { MediaView } from "@/lib/media/view";
import { ApiError, apiFetch, errorMessage } from "../api-fetch";
import { JOB_TYPES, TYPE_LABELS, priorityChoices, shortId } from "./job-format";

type Source = "text" | "url";
type SimilarityMode = "pair" | "items" | "photos";

const EXAMPLE_TEXT = `The city council approved a plan on Tuesday to turn the old harbour warehouses into a public library and a covered market. The project will cost 42 million euros and is expected to open in 2028.

Supporters say the harbour has been empty for a decade and that the market will bring back the small traders who left when the ferries stopped. The library will hold 200,000 books and a makerspace for schools.

Critics worry about the cost and about traffic on the narrow quay. The council promised a new tram stop and said half of the money comes from a European regional fund, not from local taxes.`;

const EXAMPLE_BATCH = JSON.stringify(
  {
    jobs: [
      { type: "summarize", payload: { text: "Paste a few paragraphs here. Each job in a batch runs on its own.", length: "short" } },
      { type: "calculate_similarity", payload: { a: "The cat sat on the mat.", b: "A cat was sitting on the mat." } },
      { type: "extract_content", payload: { url: "https://example.com/" } },
    ],
  },
  null,
  2,
);

/** Where a field's error is shown, by the API's field name. */
type Placed = Record<string, string[]>;

/**
 * Puts each of the API's field errors under the visible field it belongs to (the longest
 * visible name it starts with: `payload.items.2` goes under item 3, anything in a batch
 * under the JSON box); the rest are listed on their own.
 */
function place(fields: Record<string, string>, visible: string[]): { placed: Placed; other: string[] } {
  const placed: Placed = {};
  const other: string[] = [];
  for (const [key, message] of Object.entries(fields)) {
    const home = visible.filter((v) => key === v || key.startsWith(`${v}.`)).sort((a, b) => b.length - a.length)[0];
    if (!home) {
      other.push(`${key}: ${message}`);
      continue;
    }
    const rest = key.slice(home.length + 1);
    const job = /^jobs\.(\d+)\.?(.*)$/.exec(rest);
    const where = job ? `Job ${Number(job[1]) + 1}${job[2] ? ` (${job[2]})` : ""}: ` : rest ? `${rest}: ` : "";
    (placed[home] ??= []).push(where + message);
  }
  return { placed, other };
}

const inputClass =
  "mt-1 block min-h-11 w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-base shadow-sm focus:border-indigo-500 aria-[invalid=true]:border-red-600";
// The radio covers its whole label, invisible: the label is the button to see, the input the
// one to click, focus and read out.
const segment =
  "relative flex min-h-11 cursor-pointer items-center justify-center rounded-md border border-slate-300 bg-white px-3 text-sm font-medium has-[:checked]:border-indigo-600 has-[:checked]:bg-indigo-50 has-[:checked]:text-indigo-900 has-[:focus-visible]:outline-2 has-[:focus-visible]:outline-indigo-600";

const optional = <span className="font-normal text-slate-500">(optional)</span>;

/** A label, its control, a hint and the API's messages for it (ids `<id>-hint`, `<id>-error`). */
function Field({ id, label, hint, messages, children }: {
  id: string;
  label: React.ReactNode;
  hint?: React.ReactNode;
  messages: string[];
  children: React.ReactNode;
}) {
  return (
    <div>
      <label htmlFor={id} className="block text-sm font-medium text-slate-800">{label}</label>
      {children}
      {hint && <p id={`${id}-hint`} className="mt-1 text-xs text-slate-500">{hint}</p>}
      <FieldErrors id={`${id}-error`} messages={messages} />
    </div>
  );
}

function FieldErrors({ id, messages }: { id: string; messages: string[] }) {
  if (messages.length === 0) return null;
  return (
    <div id={id} className="mt-1 space-y-0.5 text-sm text-red-800" data-testid="field-error">
      {messages.map((m, i) => <p key={i}>{m}</p>)}
    </div>
  );
}

/** A choice of a few, as a row of large radio buttons. */
function Segments<T extends string>({ legend, name, options, current, onChange }: {
  legend: string;
  name: string;
  options: [T, string][];
  current: T;
  onChange: (v: T) => void;
}) {
  return (
    <fieldset>
      <legend className="mb-1 text-sm font-medium text-slate-800">{legend}</legend>
      <div className="grid grid-cols-[repeat(auto-fit,minmax(6rem,1fr))] gap-2">
        {options.map(([v, label]) => (
          <label key={v} className={segment}>
            <input type="radio" name={name} value={v} checked={current === v} onChange={() => onChange(v)} className="absolute inset-0 cursor-pointer opacity-0" />
            {label}
          </label>
        ))}
      </div>
    </fieldset>
  );
}

export function JobForm({ isAdmin, onCreated }: { isAdmin: boolean; onCreated: (job: JobView) => void }) {
  const uid = useId();
  const formRef = useRef<HTMLFormElement>(null);
  const [type, setType] = useState<AiJobType>("summarize");
  const [values, setValues] = useState<Record<string, string>>({ length: "medium", batch: EXAMPLE_BATCH });
  const [summarizeSource, setSummarizeSource] = useState<Source>("text");
  const [extractSource, setExtractSource] = useState<"url" | "html">("url");
  const [podcastSource, setPodcastSource] = useState<Source>("text");
  const [similarity, setSimilarity] = useState<SimilarityMode>("pair");
  const [items, setItems] = useState<string[]>(["", ""]);
  const [mediaIds, setMediaIds] = useState<string[]>([]);
  const [level, setLevel] = useState<string>("");
  const [errors, setErrors] = useState<{ placed: Placed; other: string[] }>({ placed: {}, other: [] });
  const [failure, setFailure] = useState<string | null>(null);
  const [created, setCreated] = useState<{ id: string; type: AiJobType } | null>(null);
  const [busy, setBusy] = useState(false);
  const [focusError, setFocusError] = useState(0);

  const photos = useSWR(type === "calculate_similarity" && similarity === "photos" ? "/api/v1/media?limit=120" : null, (url: string) =>
    apiFetch<{ media: MediaView[] }>(url),
  );
  const analysed = (photos.data?.media ?? []).filter((m) => m.status === "done");

  const choices = priorityChoices(type, isAdmin);
  const chosen = choices.find((c) => c.level === level) ?? choices.find((c) => c.isDefault)!;

  useEffect(() => {
    if (focusError) formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  }, [focusError]);

  const value = (key: string) => values[key] ?? "";
  const set = (key: string) => (e: React.ChangeEvent<HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement>) =>
    setValues((v) => ({ ...v, [key]: e.target.value }));

  /** The payload for the chosen type, and the field names its errors may come back under. */
  function build(): { payload?: unknown; visible: string[]; jsonError?: string } {
    const lang = value("language").trim();
    switch (type) {
      case "summarize":
        return {
          payload: { [summarizeSource]: value(`summarize.${summarizeSource}`), length: value("length"), ...(lang ? { language: lang } : {}) },
          visible: [`payload.${summarizeSource}`, "payload.length", "payload.language"],
        };
      case "extract_content":
        return { payload: { [extractSource]: value(`extract.${extractSource}`) }, visible: [`payload.${extractSource}`] };
      case "validate_summary":
        return { payload: { text: value("validate.text"), summary: value("validate.summary") }, visible: ["payload.text", "payload.summary"] };
      case "calculate_similarity":
        if (similarity === "pair") return { payload: { a: value("similarity.a"), b: value("similarity.b") }, visible: ["payload.a", "payload.b"] };
        if (similarity === "items") return { payload: { items }, visible: ["payload.items", ...items.map((_, i) => `payload.items.${i}`)] };
        return { payload: { mediaIds }, visible: ["payload.mediaIds"] };
      case "generate_podcast": {
        const voice = value("podcast.voice").trim();
        return {
          payload: { [podcastSource]: value(`podcast.${podcastSource}`), ...(voice ? { voice } : {}) },
          visible: [`payload.${podcastSource}`, "payload.voice"],
        };
      }
      case "batch_process":
        try {
          return { payload: JSON.parse(value("batch")), visible: ["payload"] };
        } catch (err) {
          return { visible: ["payload"], jsonError: `This is not valid JSON: ${(err as Error).message}` };
        }
    }
  }

  async function submit(event: React.FormEvent) {
    event.preventDefault();
    setFailure(null);
    setCreated(null);
    const { payload, visible, jsonError } = build();
    if (jsonError) {
      setErrors({ placed: { payload: [jsonError] }, other: [] });
      setFocusError((n) => n + 1);
      return;
    }
    setBusy(true);
    try {
      const answer = await apiFetch<{ job_id: string }>("/api/v1/jobs", {
        json: { type, payload, ...(chosen.isDefault ? {} : { priority: chosen.value }) },
      });
      setErrors({ placed: {}, other: [] });
      setCreated({ id: answer.job_id, type });
      onCreated(await apiFetch<JobView>(`/api/v1/jobs/${answer.job_id}`));
    } catch (err) {
      if (err instanceof ApiError && Object.keys(err.fields).length > 0) {
        setErrors(place(err.fields, [...visible, "priority"]));
        setFocusError((n) => n + 1);
      } else {
        setErrors({ placed: {}, other: [] });
        setFailure(errorMessage(err));
      }
    } finally {
      setBusy(false);
    }
  }

  /** id, aria-invalid and aria-describedby for the control of API field `name`. */
  const control = (name: string, hint?: boolean) => {
    const id = `${uid}-${name}`;
    const bad = (errors.placed[name]?.length ?? 0) > 0;
    const described = [hint ? `${id}-hint` : "", bad ? `${id}-error` : ""].filter(Boolean).join(" ");
    return { id, "aria-invalid": bad || undefined, "aria-describedby": described || undefined };
  };

  /** Another source or mode: the messages were about fields that are gone. */
  const switchTo = <T,>(setter: (v: T) => void) => (v: T) => {
    setter(v);
    setErrors({ placed: {}, other: [] });
  };

  const errorsOf = (name: string) => errors.placed[name] ?? [];

  // Plain functions returning elements, not components: a component defined in here would
  // be a new type on every render and lose the focus of the field being typed in.
  const textArea = (name: string, stateKey: string, label: string, rows = 6, hint?: string) => (
    <Field id={`${uid}-${name}`} label={label} hint={hint} messages={errorsOf(name)}>
      <textarea {...control(name, !!hint)} rows={rows} value={value(stateKey)} onChange={set(stateKey)} className={inputClass} />
    </Field>
  );

  const urlInput = (name: string, stateKey: string, label: string) => (
    <Field id={`${uid}-${name}`} label={label} hint="A public http:// or https:// page." messages={errorsOf(name)}>
      <input {...control(name, true)} type="url" inputMode="url" autoComplete="url" value={value(stateKey)} onChange={set(stateKey)}
        placeholder="https://example.com/article" className={inputClass} />
    </Field>
  );

  return (
    <form ref={formRef} onSubmit={submit} noValidate className="space-y-5" aria-labelledby={`${uid}-heading`}>
      <h2 id={`${uid}-heading`} className="text-lg font-semibold">Try a job</h2>

      <fieldset>
        <legend className="mb-1 text-sm font-medium text-slate-800">Type</legend>
        <div className="grid grid-cols-2 gap-2 sm:grid-cols-3">
          {JOB_TYPES.map((t) => (
            <label key={t} className={segment}>
              <input type="radio" name={`${uid}-type`} value={t} checked={type === t} className="absolute inset-0 cursor-pointer opacity-0"
                onChange={() => {
                  setType(t);
                  setLevel("");
                  setErrors({ placed: {}, other: [] });
                }} />
              {TYPE_LABELS[t]}
            </label>
          ))}
        </div>
        <p className="mt-2 text-sm text-slate-600">{AI_JOB_INFO[type].description}</p>
      </fieldset>

      {type === "summarize" && (
        <>
          <Segments legend="Summarize" name={`${uid}-summarize-source`} current={summarizeSource} onChange={switchTo(setSummarizeSource)}
            options={[["text", "A text"], ["url", "A web page"]]} />
          {summarizeSource === "text"
            ? textArea("payload.text", "summarize.text", "Text", 8, "A few paragraphs or more, up to 200,000 characters.")
            : urlInput("payload.url", "summarize.url", "Page address")}
          {summarizeSource === "text" && !value("summarize.text") && (
            <button type="button" onClick={() => setValues((v) => ({ ...v, "summarize.text": EXAMPLE_TEXT }))}
              className="min-h-11 text-sm font-medium text-indigo-700 underline">
              Fill in an example text
            </button>
          )}
          <div className="grid gap-4 sm:grid-cols-2">
            <Field id={`${uid}-payload.length`} label="Length" messages={errorsOf("payload.length")}>
              <select {...control("payload.length")} value={value("length")} onChange={set("length")} className={inputClass}>
                <option value="short">Short</option>
                <option value="medium">Medium</option>
                <option value="long">Long</option>
              </select>
            </Field>
            <Field id={`${uid}-payload.language`} label={<>Language {optional}</>} messages={errorsOf("payload.language")}
              hint="A code such as en or ja. Without an AI provider the summary stays in the text's language.">
              <input {...control("payload.language", true)} value={value("language")} onChange={set("language")} placeholder="e.g. en"
                autoCapitalize="off" autoCorrect="off" spellCheck={false} className={inputClass} />
            </Field>
          </div>
        </>
      )}

      {type === "extract_content" && (
        <>
          <Segments legend="Extract from" name={`${uid}-extract-source`} current={extractSource} onChange={switchTo(setExtractSource)}
            options={[["url", "A web page"], ["html", "HTML I paste"]]} />
          {extractSource === "url"
            ? urlInput("payload.url", "extract.url", "Page address")
            : textArea("payload.html", "extract.html", "HTML", 8, "The page's HTML source.")}
        </>
      )}

      {type === "validate_summary" && (
        <>
          {textArea("payload.text", "validate.text", "Original text", 8)}
          {textArea("payload.summary", "validate.summary", "Summary to check", 4)}
        </>
      )}

      {type === "calculate_similarity" && (
        <>
          <Segments legend="Compare" name={`${uid}-similarity-mode`} current={similarity} onChange={switchTo(setSimilarity)}
            options={[["pair", "Two texts"], ["items", "Several texts"], ["photos", "Photos"]]} />
          {similarity === "pair" && (
            <div className="grid gap-4 sm:grid-cols-2">
              {textArea("payload.a", "similarity.a", "Text A", 5)}
              {textArea("payload.b", "similarity.b", "Text B", 5)}
            </div>
          )}
          {similarity === "items" && (
            <div className="space-y-3">
              {items.map((item, i) => (
                <Field key={i} id={`${uid}-payload.items.${i}`} label={`Text ${i + 1}`} messages={errorsOf(`payload.items.${i}`)}>
                  <div className="flex items-start gap-2">
                    <textarea {...control(`payload.items.${i}`)} rows={3} value={item}
                      onChange={(e) => setItems((list) => list.map((x, j) => (j === i ? e.target.value : x)))} className={inputClass} />
                    {items.length > 2 && (
                      <button type="button" onClick={() => setItems((list) => list.filter((_, j) => j !== i))}
                        className="mt-1 min-h-11 shrink-0 rounded-md border border-slate-300 bg-white px-3 text-sm" aria-label={`Remove text ${i + 1}`}>
                        Remove
                      </button>
                    )}
                  </div>
                </Field>
              ))}
              <FieldErrors id={`${uid}-payload.items-error`} messages={errorsOf("payload.items")} />
              <button type="button" onClick={() => setItems((list) => [...list, ""])} disabled={items.length >= 100}
                className="min-h-11 rounded-md border border-slate-300 bg-white px-4 text-sm font-medium hover:bg-slate-100">
                Add a text
              </button>
            </div>
          )}
          {similarity === "photos" && (
            <fieldset aria-describedby={errorsOf("payload.mediaIds").length ? `${uid}-payload.mediaIds-error` : undefined}>
              <legend className="text-sm font-medium text-slate-800">Photos to compare ({mediaIds.length} selected)</legend>
              {photos.isLoading ? (
                <p className="mt-2 text-sm text-slate-600">Loading your photos…</p>
              ) : photos.error ? (
                <p className="mt-2 text-sm text-red-800">{errorMessage(photos.error)}</p>
              ) : analysed.length < 2 ? (
                <p className="mt-2 text-sm text-slate-600">
                  You need at least two analysed photos. <Link href="/" className="text-indigo-700 underline">Upload some</Link>.
                </p>
              ) : (
                <ul className="mt-2 grid grid-cols-3 gap-2 sm:grid-cols-4">
                  {analysed.map((m) => (
                    <li key={m.id}>
                      <label className="block cursor-pointer overflow-hidden rounded-md border-2 border-transparent bg-white has-[:checked]:border-indigo-600">
                        <span className="relative block aspect-square bg-slate-100">
                          {m.thumbnailUrl && (
                            // eslint-disable-next-line @next/next/no-img-element
                            <img src={m.thumbnailUrl} alt="" loading="lazy" className="h-full w-full object-cover" />
                          )}
                          <input type="checkbox" checked={mediaIds.includes(m.id)} className="absolute left-1.5 top-1.5 h-5 w-5"
                            onChange={() => setMediaIds((s) => (s.includes(m.id) ? s.filter((x) => x !== m.id) : [...s, m.id]))} />
                        </span>
                        <span className="block truncate px-1 py-1 text-xs">{m.name}</span>
                      </label>
                    </li>
                  ))}
                </ul>
              )}
              <FieldErrors id={`${uid}-payload.mediaIds-error`} messages={errorsOf("payload.mediaIds")} />
            </fieldset>
          )}
        </>
      )}

      {type === "generate_podcast" && (
        <>
          <Segments legend="Read aloud" name={`${uid}-podcast-source`} current={podcastSource} onChange={switchTo(setPodcastSource)}
            options={[["text", "A text"], ["url", "A web page"]]} />
          {podcastSource === "text" ? textArea("payload.text", "podcast.text", "Text", 8) : urlInput("payload.url", "podcast.url", "Page address")}
          <Field id={`${uid}-payload.voice`} label={<>Voice {optional}</>} hint="The episode goes into your default show."
            messages={errorsOf("payload.voice")}>
            <input {...control("payload.voice", true)} value={value("podcast.voice")} onChange={set("podcast.voice")} placeholder="e.g. en-us"
              autoCapitalize="off" autoCorrect="off" spellCheck={false} className={inputClass} />
          </Field>
        </>
      )}

      {type === "batch_process" && (
        <div>
          <Field id={`${uid}-payload`} label="Batch (JSON)" messages={errorsOf("payload")}
            hint={<>{"{ \"jobs\": [{ \"type\", \"payload\" }, …] }"}: up to 100 jobs of the other types. One failing does not stop the others.</>}>
            <textarea {...control("payload", true)} rows={14} value={value("batch")} onChange={set("batch")} spellCheck={false} wrap="off"
              autoCapitalize="off" autoCorrect="off" className={`${inputClass} font-mono text-sm`} />
          </Field>
          <button type="button" onClick={() => setValues((v) => ({ ...v, batch: EXAMPLE_BATCH }))}
            className="min-h-11 text-sm font-medium text-indigo-700 underline">
            Put the example back
          </button>
        </div>
      )}

      <div className="grid gap-4 sm:grid-cols-2">
        <Field id={`${uid}-priority`} label="Priority" hint="Higher runs sooner. Raising a type's default is for admins."
          messages={errorsOf("priority")}>
          <select {...control("priority", true)} value={chosen.level} onChange={(e) => setLevel(e.target.value)} className={inputClass}>
            {choices.map((c) => (
              <option key={c.level} value={c.level} disabled={c.disabled}>{c.label}</option>
            ))}
          </select>
        </Field>
        <div className="text-sm text-slate-600">
          <p className="font-medium text-slate-800">Webhook</p>
          <p className="mt-1">
            A program that starts a job with an <Link href="/settings/tokens" className="text-indigo-700 underline">API token</Link> can
            add a <code className="rounded bg-slate-100 px-1">webhookUrl</code>: we POST the finished job there, signed with the
            token&apos;s secret. Jobs started here have no token to sign with, so they have no webhook.
          </p>
        </div>
      </div>

      {errors.other.length > 0 && (
        <div role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-800">
          {errors.other.map((m, i) => <p key={i}>{m}</p>)}
        </div>
      )}
      {failure && <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-800">{failure}</p>}
      <div aria-live="polite" className="text-sm">
        {Object.keys(errors.placed).length > 0 && <p className="text-red-800">Some fields need a change: see the messages under them.</p>}
        {created && (
          <p className="text-emerald-800" data-testid="job-created">
            {TYPE_LABELS[created.type]} job {shortId(created.id)} queued.{" "}
            <Link href={`/jobs/${created.id}`} className="font-medium underline">Open it</Link>
          </p>
        )}
      </div>
      <button type="submit" disabled={busy}
        className="min-h-11 w-full rounded-md bg-indigo-600 px-5 font-medium text-white hover:bg-indigo-700 disabled:opacity-60 sm:w-auto">
        {busy ? "Sending…" : "Start job"}
      </button>
    </form>
  );
}
