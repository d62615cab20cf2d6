"use client";

// A show's settings: what its feed says (title, description, people, language, Apple
// category, explicit), its artwork, where news of an episode goes (Discord, a signed
// webhook), auto-publish, and its feed URL with Copy and Rotate. Errors of a refused save
// appear beside their fields; the Discord URL is write-only (the page only knows it is set).
import { useEffect, useRef, useState } from "react";
import { APPLE_CATEGORIES } from "@/lib/podcasts/categories";
import { apiFetch, ApiError, errorMessage } from "../api-fetch";
import { ConfirmDialog } from "../confirm-dialog";
import { CopyButton } from "../copy-button";
import { Artwork } from "./podcasts-home";
import type { ShowAnswer, ShowView } from "./types";

type Fields = Pick<ShowView, "title" | "description" | "author" | "ownerName" | "ownerEmail" | "language" | "category" | "explicit" | "autoPublish"> & {
  webhookUrl: string;
};

const fieldsOf = (show: ShowView): Fields => ({
  title: show.title,
  description: show.description,
  author: show.author,
  ownerName: show.ownerName,
  ownerEmail: show.ownerEmail,
  language: show.language,
  category: show.category,
  explicit: show.explicit,
  autoPublish: show.autoPublish,
  webhookUrl: show.webhookUrl ?? "",
});

const LANGUAGES = ["en", "en-us", "en-gb", "de", "es", "fr", "it", "ja", "ko", "nl", "pl", "pt", "pt-br", "sv", "zh"];
const input = "min-h-11 w-full rounded-md border border-slate-300 px-3 py-2 aria-[invalid=true]:border-red-500";

export function ShowSettings({ initial }: { initial: ShowView }) {
  const [show, setShow] = useState(initial);
  const [fields, setFields] = useState<Fields>(() => fieldsOf(initial));
  // undefined: leave as it is; "": remove; text: replace.
  const [discord, setDiscord] = useState<string | undefined>(undefined);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [message, setMessage] = useState<{ text: string; error?: boolean } | null>(null);
  const [saving, setSaving] = useState(false);
  const [secret, setSecret] = useState<string | null>(null);
  const [refused, setRefused] = useState(0);
  const form = useRef<HTMLFormElement>(null);

  // After a refused save, the keyboard goes to the first field that needs a change.
  useEffect(() => {
    if (refused > 0) form.current?.querySelector<HTMLElement>("[aria-invalid=true]")?.focus();
  }, [refused]);

  const saved = fieldsOf(show);
  const changed = (Object.keys(fields) as (keyof Fields)[]).filter((k) => fields[k] !== saved[k]);
  const dirty = changed.length > 0 || discord !== undefined;
  const set = <K extends keyof Fields>(key: K, value: Fields[K]) => setFields((f) => ({ ...f, [key]: value }));

  async function save(event: React.FormEvent) {
    event.preventDefault();
    setSaving(true);
    setMessage(null);
    setErrors({});
    const body: Record<string, unknown> = Object.fromEntries(changed.map((k) => [k, k === "webhookUrl" ? fields.webhookUrl.trim() || null : fields[k]]));
    if (discord !== undefined) body.discordWebhookUrl = discord.trim() || null;
    try {
      const next = await apiFetch<ShowAnswer>(`/api/v1/shows/${show.id}`, { method: "PATCH", json: body });
      setShow(next);
      if (next.webhookSecret) setSecret(next.webhookSecret);
      setFields(fieldsOf(next));
      setDiscord(undefined);
      setMessage({ text: "Settings saved. Podcast apps see the changes the next time they check the feed." });
    } catch (err) {
      const fieldErrors = err instanceof ApiError ? err.fields : {};
      setErrors(fieldErrors);
      const count = Object.keys(fieldErrors).length;
      setMessage({ text: count ? `Not saved: ${count === 1 ? "one field needs" : `${count} fields need`} a change.` : errorMessage(err), error: true });
      setRefused((n) => n + 1);
    }
    setSaving(false);
  }

  const described = (name: string, hint?: boolean) =>
    [hint ? `${name}-hint` : null, errors[name] ? `${name}-error` : null].filter(Boolean).join(" ") || undefined;
  const fieldError = (name: string) =>
    errors[name] ? <p id={`${name}-error`} className="text-sm text-red-700">{errors[name]}</p> : null;
  const text = (name: keyof Fields, label: string, opts: { type?: string; required?: boolean; hint?: string; autoComplete?: string; list?: string } = {}) => (
    <div className="space-y-1">
      <label htmlFor={`show-${name}`} className="block text-sm font-medium">{label}</label>
      <input id={`show-${name}`} name={name} type={opts.type ?? "text"} required={opts.required} autoComplete={opts.autoComplete ?? "off"} list={opts.list}
        value={fields[name] as string} onChange={(e) => set(name, e.target.value as never)}
        aria-invalid={Boolean(errors[name])} aria-describedby={described(name, Boolean(opts.hint))} className={input} />
      {opts.hint && <p id={`${name}-hint`} className="text-sm text-slate-600">{opts.hint}</p>}
      {fieldError(name)}
    </div>
  );

  return (
    <div className="space-y-8">
      <header className="flex items-center gap-4">
        <Artwork url={show.artworkUrl} className="h-16 w-16 sm:h-20 sm:w-20" />
        <div className="min-w-0">
          <h1 className="truncate text-2xl font-semibold tracking-tight">{show.title}</h1>
          <p className="text-sm text-slate-600">Show settings</p>
        </div>
      </header>

      <FeedPanel show={show} onRotated={setShow} />
      <ArtworkPanel show={show} onChange={setShow} />

      <form ref={form} onSubmit={save} noValidate className="space-y-8" aria-labelledby="details-heading">
        <section className="space-y-4 rounded-xl border border-slate-200 bg-white p-4">
          <h2 id="details-heading" className="text-lg font-semibold">Details</h2>
          {text("title", "Title", { required: true })}
          <div className="space-y-1">
            <label htmlFor="show-description" className="block text-sm font-medium">Description</label>
            <textarea id="show-description" rows={4} value={fields.description} onChange={(e) => set("description", e.target.value)}
              aria-invalid={Boolean(errors.description)} aria-describedby={described("description")} className={input} />
            {fieldError("description")}
          </div>
          <div className="grid gap-4 sm:grid-cols-2">
            {text("author", "Author (as apps show it)", { required: true })}
            {text("language", "Language", { hint: "A code such as en, en-us or ja.", list: "show-languages" })}
            <datalist id="show-languages">{LANGUAGES.map((l) => <option key={l} value={l} />)}</datalist>
            {text("ownerName", "Owner name", { required: true, autoComplete: "name" })}
            {text("ownerEmail", "Owner email", { type: "email", required: true, autoComplete: "email", hint: "Apple may write to it to confirm the show is yours." })}
          </div>
          <div className="space-y-1">
            <label htmlFor="show-category" className="block text-sm font-medium">Category</label>
            <select id="show-category" value={fields.category} onChange={(e) => set("category", e.target.value)}
              aria-invalid={Boolean(errors.category)} aria-describedby={described("category")} className={`${input} bg-white`}>
              {/* A stored category Apple does not know stays visible until it is changed. */}
              {!isKnownCategory(fields.category) && <option value={fields.category}>{fields.category}</option>}
              {Object.entries(APPLE_CATEGORIES).map(([name, subs]) => (
                <optgroup key={name} label={name}>
                  <option value={name}>{subs.length ? `${name} (general)` : name}</option>
                  {subs.map((sub) => <option key={sub} value={`${name} > ${sub}`}>{sub}</option>)}
                </optgroup>
              ))}
            </select>
            {fieldError("category")}
          </div>
          <Checkbox id="show-explicit" checked={fields.explicit} onChange={(v) => set("explicit", v)} label="Explicit content"
            hint="Marks the whole show as explicit in podcast apps. Episodes can be marked one by one too." />
        </section>

        <section aria-labelledby="publishing-heading" className="space-y-4 rounded-xl border border-slate-200 bg-white p-4">
          <h2 id="publishing-heading" className="text-lg font-semibold">Publishing and notifications</h2>
          <Checkbox id="show-autoPublish" checked={fields.autoPublish} onChange={(v) => set("autoPublish", v)} label="Publish new episodes without review"
            hint="Off: each episode waits for you to review it and press Publish. On: it goes into the feed as soon as it is analysed." />
          <div className="space-y-1">
            <label htmlFor="show-discordWebhookUrl" className="block text-sm font-medium">Discord webhook URL</label>
            <p id="discordWebhookUrl-hint" className="text-sm text-slate-600">
              {show.discordWebhook
                ? discord === ""
                  ? "The webhook will be removed when you save."
                  : "A webhook is set (it is not shown again). Paste a new one to replace it."
                : "Not set. Paste one to post a message to a Discord channel when an episode is published or fails."}
            </p>
            <div className="flex flex-wrap gap-2">
              <input id="show-discordWebhookUrl" type="url" inputMode="url" autoComplete="off" spellCheck={false}
                placeholder={show.discordWebhook ? "•••••• (set)" : "https://discord.com/api/webhooks/…"}
                value={discord ?? ""} onChange={(e) => setDiscord(e.target.value)}
                aria-invalid={Boolean(errors.discordWebhookUrl)} aria-describedby={described("discordWebhookUrl", true)}
                className={`${input} min-w-0 flex-1`} />
              {show.discordWebhook && discord !== "" && (
                <button type="button" onClick={() => setDiscord("")}
                  className="min-h-11 rounded-md border border-red-200 px-3 text-sm text-red-700 hover:bg-red-50">
                  Remove
                </button>
              )}
            </div>
            {fieldError("discordWebhookUrl")}
          </div>
          {text("webhookUrl", "Webhook URL (optional)", {
            type: "url",
            hint: `Receives a signed JSON message (Standard Webhooks) when an episode is published or fails.${show.webhookSecretSet ? " Its signing secret was shown once, when the URL was first saved." : ""}`,
          })}
          {secret && (
            <div role="alert" className="space-y-2 rounded-md border border-amber-300 bg-amber-50 p-3 text-sm text-amber-950">
              <p><strong>The signing secret of your webhook.</strong> Copy it now and keep it with the receiver: it is not shown again.</p>
              <div className="flex flex-wrap items-center gap-2">
                <code className="min-w-0 max-w-full break-all rounded bg-white px-2 py-1 font-mono">{secret}</code>
                <CopyButton text={secret} what="Secret" />
              </div>
            </div>
          )}
        </section>

        <div className="sticky bottom-0 -mx-4 flex flex-wrap items-center gap-3 border-t border-slate-200 bg-white/95 px-4 py-3 sm:static sm:mx-0 sm:border-0 sm:bg-transparent sm:p-0">
          <button type="submit" disabled={!dirty || saving}
            className="min-h-11 rounded-md bg-indigo-600 px-5 text-sm font-medium text-white hover:bg-indigo-700 disabled:opacity-50">
            {saving ? "Saving…" : "Save settings"}
          </button>
          <p role="status" aria-live="polite" className={`text-sm ${message?.error ? "text-red-700" : "text-emerald-700"}`}>{message?.text}</p>
        </div>
      </form>
    </div>
  );
}

function isKnownCategory(category: string): boolean {
  const [name, sub] = category.split(" > ");
  return Object.hasOwn(APPLE_CATEGORIES, name) && (sub === undefined || APPLE_CATEGORIES[name].includes(sub));
}

function Checkbox({ id, checked, onChange, label, hint }: { id: string; checked: boolean; onChange: (v: boolean) => void; label: string; hint: string }) {
  return (
    <div className="flex items-start gap-3">
      <input id={id} type="checkbox" checked={checked} onChange={(e) => onChange(e.target.checked)} aria-describedby={`${id}-hint`}
        className="mt-2.5 h-6 w-6 shrink-0 accent-indigo-600" />
      <div>
        <label htmlFor={id} className="flex min-h-11 items-center font-medium">{label}</label>
        <p id={`${id}-hint`} className="text-sm text-slate-600">{hint}</p>
      </div>
    </div>
  );
}

/** The feed URL to paste into podcast apps, Copy, and Rotate (after saying what it breaks). */
function FeedPanel({ show, onRotated }: { show: ShowView; onRotated: (s: ShowView) => void }) {
  const [confirming, setConfirming] = useState(false);
  const [message, setMessage] = useState<{ text: string; error?: boolean } | null>(null);

  async function rotate() {
    try {
      const next = await apiFetch<ShowView>(`/api/v1/shows/${show.id}/feed-token`, { method: "POST" });
      onRotated(next);
      setMessage({ text: "A new feed URL was made. The old one no longer works." });
    } catch (err) {
      setMessage({ text: errorMessage(err), error: true });
    }
    setConfirming(false);
  }

  return (
    <section aria-labelledby="feed-heading" className="space-y-3 rounded-xl border border-indigo-200 bg-indigo-50/50 p-4">
      <h2 id="feed-heading" className="text-lg font-semibold">Feed</h2>
      <label htmlFor="feed-url" className="block text-sm text-slate-700">Paste this URL into any podcast app to subscribe:</label>
      <div className="flex flex-wrap items-center gap-2">
        <input id="feed-url" readOnly value={show.feedUrl} onFocus={(e) => e.currentTarget.select()} spellCheck={false}
          className="min-h-11 min-w-0 flex-1 basis-full rounded-md border border-slate-300 bg-white px-3 font-mono text-sm sm:basis-auto" />
        <CopyButton text={show.feedUrl} what="Feed URL" />
        <a href={show.feedUrl} target="_blank" rel="noreferrer" className="inline-flex min-h-11 items-center px-2 text-sm font-medium text-indigo-700 hover:underline">
          Open
        </a>
        <button type="button" onClick={() => setConfirming(true)}
          className="min-h-11 rounded-md border border-slate-300 bg-white px-3 text-sm font-medium hover:bg-slate-100">
          Rotate…
        </button>
      </div>
      <p className="text-sm text-slate-600">The address is secret: anyone who has it can listen. Rotate it if it leaked.</p>
      <p role="status" aria-live="polite" className={`text-sm ${message?.error ? "text-red-700" : "text-emerald-700"}`}>{message?.text}</p>
      <ConfirmDialog
        open={confirming}
        title="Make a new feed URL?"
        confirm="Rotate feed URL"
        onConfirm={rotate}
        onCancel={() => setConfirming(false)}
      >
        <p>The current URL stops working at once. Everyone subscribed with it stops getting new episodes until they subscribe again with the new URL.</p>
      </ConfirmDialog>
    </section>
  );
}

/** Upload a square cover (made 1400–3000 px by the server), with a preview before it is sent. */
function ArtworkPanel({ show, onChange }: { show: ShowView; onChange: (s: ShowView) => void }) {
  const [preview, setPreview] = useState<{ url: string; file: File } | null>(null);
  const [busy, setBusy] = useState(false);
  const [upscaled, setUpscaled] = useState(false);
  const [message, setMessage] = useState<{ text: string; error?: boolean } | null>(null);
  const picker = useRef<HTMLInputElement>(null);

  function pick(file: File | undefined) {
    if (!file) return;
    if (preview) URL.revokeObjectURL(preview.url);
    setPreview({ url: URL.createObjectURL(file), file });
    setMessage(null);
  }

  async function upload() {
    if (!preview) return;
    setBusy(true);
    try {
      // The image itself is the body (PUT /api/v1/shows/:id/artwork).
      const res = await fetch(`/api/v1/shows/${show.id}/artwork`, { method: "PUT", body: preview.file, headers: { "Content-Type": preview.file.type || "application/octet-stream" } });
      const body = await res.json().catch(() => null);
      if (!res.ok) throw new ApiError(body?.error?.message ?? "The artwork could not be saved.", res.status);
      const next = body as ShowAnswer;
      onChange(next);
      setUpscaled(Boolean(next.upscaled));
      URL.revokeObjectURL(preview.url);
      setPreview(null);
      setMessage({ text: "Artwork saved. Podcast apps pick it up the next time they check the feed." });
    } catch (err) {
      setMessage({ text: err instanceof ApiError ? err.message : "Could not reach the server. Try again.", error: true });
    }
    setBusy(false);
  }

  return (
    <section aria-labelledby="artwork-heading" className="space-y-3 rounded-xl border border-slate-200 bg-white p-4">
      <h2 id="artwork-heading" className="text-lg font-semibold">Artwork</h2>
      <div className="flex flex-wrap items-start gap-4">
        {preview ? (
          // eslint-disable-next-line @next/next/no-img-element
          <img src={preview.url} alt="Preview of the new artwork" className="h-32 w-32 rounded-lg object-cover ring-2 ring-indigo-500" />
        ) : (
          <Artwork url={show.artworkUrl} className="h-32 w-32" />
        )}
        <div className="min-w-0 flex-1 space-y-2 text-sm text-slate-600">
          <p>A square JPEG or PNG, ideally 3000 × 3000 px. Other shapes are cropped to the centre.</p>
          {preview && <p className="text-slate-800">Preview of {preview.file.name}: the centred square is what is kept. Not saved yet.</p>}
          <div className="flex flex-wrap gap-2">
            <button type="button" onClick={() => picker.current?.click()}
              className="min-h-11 rounded-md border border-slate-300 px-3 font-medium text-slate-800 hover:bg-slate-100">
              {show.artworkUrl || preview ? "Choose another image…" : "Choose an image…"}
            </button>
            {preview && (
              <button type="button" onClick={upload} disabled={busy}
                className="min-h-11 rounded-md bg-indigo-600 px-4 font-medium text-white hover:bg-indigo-700 disabled:opacity-60">
                {busy ? "Saving…" : "Save artwork"}
              </button>
            )}
          </div>
          <input ref={picker} type="file" accept="image/jpeg,image/png,image/webp" className="sr-only" tabIndex={-1}
            aria-label="Choose an artwork image" data-testid="artwork-input" onChange={(e) => { pick(e.target.files?.[0]); e.target.value = ""; }} />
          <p role="status" aria-live="polite" className={message?.error ? "text-red-700" : "text-emerald-700"}>{message?.text}</p>
          {upscaled && <p className="text-amber-800">The image was smaller than 1400 px and was enlarged; a bigger one will look sharper in podcast apps.</p>}
        </div>
      </div>
    </section>
  );
}
