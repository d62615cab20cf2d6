"use client";

// Listen: the browser's own audio player, the chapters (a click or Enter seeks there and
// plays), and the transcript, whose line being spoken is highlighted and kept in view
// (smoothly unless the person asked for reduced motion; not while they scroll it themselves).
import { useEffect, useRef, useState } from "react";
import { formatClock, indexAt } from "@/lib/podcasts/timecode";
import type { Chapter, TranscriptSegment } from "./types";

export function EpisodePlayer({ title, audioUrl, chapters, transcript, transcriptNote }: {
  title: string;
  audioUrl: string;
  chapters: Chapter[];
  transcript: TranscriptSegment[] | null;
  transcriptNote: string | null;
}) {
  const audio = useRef<HTMLAudioElement>(null);
  const [chapter, setChapter] = useState(-1);
  const [segment, setSegment] = useState(-1);

  function onTime() {
    const t = audio.current?.currentTime ?? 0;
    // Only the indexes are state, so a long transcript re-renders when the line changes, not 4× a second.
    setChapter(indexAt(chapters, t, (c) => c.startTime));
    if (transcript) setSegment(indexAt(transcript, t, (s) => s.start));
  }

  function seek(seconds: number) {
    const el = audio.current;
    if (!el) return;
    el.currentTime = seconds;
    // Marked at once, not at the next time update.
    setChapter(indexAt(chapters, seconds, (c) => c.startTime));
    if (transcript) setSegment(indexAt(transcript, seconds, (s) => s.start));
    void el.play().catch(() => {
      /* autoplay refused: the position is still set */
    });
  }

  return (
    <section aria-labelledby="listen-heading" className="space-y-4">
      <h2 id="listen-heading" className="text-lg font-semibold">Listen</h2>
      <audio ref={audio} src={audioUrl} controls preload="metadata" onTimeUpdate={onTime} onSeeked={onTime}
        aria-label={`${title} (audio)`} data-testid="episode-audio" className="w-full" />
      <div className="grid gap-6 lg:grid-cols-[minmax(0,1fr)_minmax(0,2fr)]">
        <div className="space-y-2">
          <h3 className="font-semibold">Chapters</h3>
          {chapters.length === 0 ? (
            <p className="text-sm text-slate-600">This episode has no chapters.</p>
          ) : (
            <ol className="space-y-1" aria-label="Chapters">
              {chapters.map((c, i) => (
                <li key={`${c.startTime}-${i}`}>
                  <button type="button" onClick={() => seek(c.startTime)} aria-current={i === chapter ? "true" : undefined}
                    className="flex min-h-11 w-full items-baseline gap-3 rounded-md px-2 py-2 text-left text-sm hover:bg-slate-100 aria-[current=true]:bg-indigo-50 aria-[current=true]:font-medium aria-[current=true]:text-indigo-900">
                    <span className="w-16 shrink-0 font-mono tabular-nums text-slate-600">{formatClock(c.startTime)}</span>
                    <span className="min-w-0">{c.title}</span>
                  </button>
                </li>
              ))}
            </ol>
          )}
        </div>
        <Transcript segments={transcript} note={transcriptNote} active={segment} onSeek={seek} />
      </div>
    </section>
  );
}

/** The transcript, timestamps and speakers shown; with `onSeek`, each timestamp plays from there. */
export function Transcript({ segments, note, active = -1, onSeek }: {
  segments: TranscriptSegment[] | null;
  note: string | null;
  active?: number;
  onSeek?: (seconds: number) => void;
}) {
  const box = useRef<HTMLOListElement>(null);
  const [follow, setFollow] = useState(true);
  const userScrolledAt = useRef(0);

  useEffect(() => {
    const list = box.current;
    const line = list?.children[active] as HTMLElement | undefined;
    if (!list || !line || !follow || !onSeek) return;
    // A person reading ahead is not pulled back for a few seconds.
    if (Date.now() - userScrolledAt.current < 4_000) return;
    const reduce = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    const top = line.offsetTop - list.offsetTop - list.clientHeight / 3;
    list.scrollTo({ top: Math.max(0, top), behavior: reduce ? "auto" : "smooth" });
  }, [active, follow, onSeek]);

  return (
    <div className="min-w-0 space-y-2">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h3 className="font-semibold">Transcript</h3>
        {segments && segments.length > 0 && onSeek && (
          <label className="flex min-h-11 items-center gap-2 text-sm">
            <input type="checkbox" checked={follow} onChange={(e) => setFollow(e.target.checked)} className="h-5 w-5 accent-indigo-600" />
            Follow playback
          </label>
        )}
      </div>
      {!segments || segments.length === 0 ? (
        <p className="rounded-md border border-dashed border-slate-300 px-3 py-3 text-sm text-slate-700" data-testid="transcript-note">
          {note ?? "There is no transcript for this episode."}
        </p>
      ) : (
        <ol ref={box} aria-label="Transcript" data-testid="transcript"
          onWheel={() => (userScrolledAt.current = Date.now())} onTouchMove={() => (userScrolledAt.current = Date.now())}
          className="relative max-h-[60vh] space-y-1 overflow-y-auto rounded-md border border-slate-200 bg-white p-2 text-sm lg:max-h-96">
          {segments.map((s, i) => (
            <li key={`${s.start}-${i}`} aria-current={i === active ? "true" : undefined}
              className="flex gap-3 rounded px-2 py-1 aria-[current=true]:bg-amber-100">
              {onSeek ? (
                <button type="button" onClick={() => onSeek(s.start)} aria-label={`Play from ${formatClock(s.start)}`}
                  className="-my-1 min-h-11 w-14 shrink-0 text-left font-mono tabular-nums text-indigo-700 hover:underline">
                  {formatClock(s.start)}
                </button>
              ) : (
                <span className="w-14 shrink-0 font-mono tabular-nums text-slate-600">{formatClock(s.start)}</span>
              )}
              <p className="min-w-0 py-0.5">
                {s.speaker && <span className="mr-1 font-medium text-slate-900">{s.speaker}:</span>}
                {s.text}
              </p>
            </li>
          ))}
        </ol>
      )}
    </div>
  );
}
