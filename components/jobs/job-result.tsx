// A finished job's result, rendered for people: a summary with its key points, an extracted
// article at reading width, a summary check with its score, a similarity score or heat
// map, a batch's children. Anything unexpected is shown as JSON rather than hidden.
import Link from "next/link";
import type {
  BatchProcessResult,
  CalculateSimilarityResult,
  ExtractContentResult,
  GeneratePodcastResult,
  SummarizeResult,
  ValidateSummaryResult,
} from "@/lib/ai-jobs/types";
import type { JobView } from "@/lib/ai-jobs/view";
import { typeLabel } from "./job-format";
import { JobStatusBadge } from "./job-status-badge";
import { SimilarityMatrix, similarityWords, type MatrixItem } from "./similarity-matrix";

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const percent = (x: number) => `${Math.round(x * 100)} %`;

function Heading({ children }: { children: React.ReactNode }) {
  return <h3 className="mb-2 text-sm font-semibold uppercase tracking-wide text-slate-500">{children}</h3>;
}

function Paragraphs({ text, className = "" }: { text: string; className?: string }) {
  return (
    <div className={`max-w-prose space-y-3 leading-relaxed ${className}`}>
      {text.split(/\n\s*\n/).map((p, i) => <p key={i} className="whitespace-pre-line break-words">{p}</p>)}
    </div>
  );
}

function Summary({ result }: { result: SummarizeResult }) {
  return (
    <div className="space-y-5" data-testid="summary-result">
      <section>
        <Heading>Summary</Heading>
        <Paragraphs text={result.summary} className="text-slate-900" />
      </section>
      {result.keyPoints?.length > 0 && (
        <section>
          <Heading>Key points</Heading>
          <ul className="max-w-prose list-disc space-y-1.5 pl-5">
            {result.keyPoints.map((k, i) => <li key={i}>{k}</li>)}
          </ul>
        </section>
      )}
      {result.keywords?.length > 0 && (
        <section>
          <Heading>Key terms</Heading>
          <ul className="flex flex-wrap gap-2">
            {result.keywords.map((k) => <li key={k} className="rounded-full bg-indigo-50 px-3 py-1 text-sm text-indigo-800">{k}</li>)}
          </ul>
        </section>
      )}
      <p className="text-xs text-slate-500">
        {result.method === "generative" ? "Written by an AI provider." : "Extractive: sentences chosen from the text itself, in their original order."}
        {result.language ? ` Language: ${result.language}.` : ""}
      </p>
    </div>
  );
}

function Article({ result }: { result: ExtractContentResult }) {
  const facts = [result.byline, result.siteName, result.lang && `Language: ${result.lang}`, `${result.wordCount.toLocaleString("en")} words`].filter(Boolean);
  return (
    <article className="space-y-4" data-testid="article-result">
      <header className="max-w-prose space-y-1">
        <h3 className="text-xl font-semibold leading-snug">{result.title || "Untitled"}</h3>
        <p className="text-sm text-slate-600">{facts.join(" · ")}</p>
        {result.url && (
          <p className="break-all text-sm">
            <a href={result.url} rel="noopener noreferrer nofollow" className="text-indigo-700 underline">{result.url}</a>
          </p>
        )}
      </header>
      {result.excerpt && <p className="max-w-prose border-l-4 border-slate-200 pl-3 italic text-slate-700">{result.excerpt}</p>}
      <details open>
        <summary className="min-h-11 cursor-pointer py-2 font-medium text-indigo-700">Read the extracted text</summary>
        <Paragraphs text={result.text} className="mt-2 font-serif text-[1.05rem] text-slate-900" />
      </details>
    </article>
  );
}

function Meter({ label, value, id }: { label: string; value: number; id: string }) {
  return (
    <div className="space-y-1">
      <div className="flex items-baseline justify-between gap-3 text-sm">
        <label htmlFor={id} className="font-medium text-slate-700">{label}</label>
        <span className="tabular-nums text-slate-900">{value.toFixed(2)}</span>
      </div>
      <meter id={id} min={0} max={1} low={0.5} high={0.7} optimum={1} value={value} className="h-4 w-full">
        {percent(value)}
      </meter>
    </div>
  );
}

function SummaryCheck({ result }: { result: ValidateSummaryResult }) {
  return (
    <div className="space-y-5" data-testid="validate-result">
      <p className={`inline-flex rounded-md px-3 py-1.5 font-medium ${result.faithful ? "bg-emerald-50 text-emerald-900" : "bg-red-50 text-red-900"}`}>
        {result.faithful ? "Faithful: the text supports this summary." : "Not faithful: the text does not support all of this summary."}
      </p>
      <div className="grid max-w-xl gap-4">
        <Meter id="validate-score" label="Support (0 = none, 1 = full)" value={result.score} />
        <Meter id="validate-coverage" label="Coverage of the text's key terms" value={result.coverage} />
      </div>
      <section>
        <Heading>Unsupported claims</Heading>
        {result.unsupportedClaims.length === 0 ? (
          <p className="text-sm text-slate-600">None: every sentence of the summary is supported.</p>
        ) : (
          <ul className="max-w-prose list-disc space-y-1.5 pl-5 text-red-900">
            {result.unsupportedClaims.map((c, i) => <li key={i}>{c}</li>)}
          </ul>
        )}
      </section>
      {result.sentences && result.sentences.length > 0 && (
        <section>
          <Heading>Support per sentence</Heading>
          <div role="region" aria-label="Support per sentence" tabIndex={0} className="overflow-x-auto rounded-lg border border-slate-200">
            <table className="w-full text-sm">
              <thead className="bg-slate-50 text-left text-slate-600">
                <tr><th scope="col" className="px-3 py-2 font-medium">Sentence</th><th scope="col" className="px-3 py-2 text-right font-medium">Support</th></tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {result.sentences.map((s, i) => (
                  <tr key={i}>
                    <td className="min-w-56 px-3 py-2">{s.text}</td>
                    <td className={`px-3 py-2 text-right tabular-nums ${s.support < 0.5 ? "font-medium text-red-800" : ""}`}>{s.support.toFixed(2)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      )}
      <p className="text-xs text-slate-500">
        {result.method === "judge" ? "Judged by an AI provider." : "Measured by word overlap with the text; free paraphrase scores lower than it deserves."}
      </p>
    </div>
  );
}

function matrixItems(payload: unknown): { items: MatrixItem[]; noun: "Text" | "Photo" } {
  if (isObject(payload) && Array.isArray(payload.mediaIds)) {
    return {
      noun: "Photo",
      items: (payload.mediaIds as string[]).map((id) => ({ label: id, imageUrl: `/api/v1/media/${id}/thumbnail` })),
    };
  }
  const texts = isObject(payload) && Array.isArray(payload.items) ? (payload.items as string[]) : [];
  return { noun: "Text", items: texts.map((t) => ({ label: t.length > 120 ? `${t.slice(0, 120)}…` : t })) };
}

function Similarity({ result, payload }: { result: CalculateSimilarityResult; payload: unknown }) {
  if ("score" in result) {
    return (
      <div className="max-w-xl space-y-3" data-testid="similarity-result">
        <p className="text-3xl font-semibold tabular-nums">{result.score.toFixed(2)}</p>
        <p className="text-slate-700">{similarityWords(result.score)} (0 = unrelated, 1 = the same).</p>
        <meter aria-label="Similarity" min={0} max={1} value={result.score} className="h-4 w-full">{percent(result.score)}</meter>
      </div>
    );
  }
  const { items, noun } = matrixItems(payload);
  const labelled = result.matrix.map((_, i) => items[i] ?? { label: "" });
  return <div data-testid="similarity-result"><SimilarityMatrix matrix={result.matrix} items={labelled} noun={noun} /></div>;
}

function Batch({ result, view }: { result: BatchProcessResult | null; view: JobView }) {
  const children = result?.children ?? view.children.map((c, index) => ({ ...c, index, result: undefined, error: undefined }));
  return (
    <div className="space-y-3" data-testid="batch-result">
      {result && (
        <p className="text-slate-700">
          {result.completed} of {result.total} completed
          {result.failed > 0 ? `, ${result.failed} failed` : ""}
          {result.canceled > 0 ? `, ${result.canceled} canceled` : ""}.
        </p>
      )}
      <ol className="divide-y divide-slate-100 rounded-lg border border-slate-200 bg-white">
        {children.map((c) => (
          <li key={c.job_id} className="flex flex-wrap items-center gap-x-3 gap-y-1 px-3 py-2">
            <span className="w-8 shrink-0 text-sm tabular-nums text-slate-500">{c.index + 1}.</span>
            <Link href={`/jobs/${c.job_id}`} className="inline-flex min-h-11 min-w-0 items-center font-medium text-indigo-700 underline">
              {typeLabel(c.type)}
            </Link>
            <JobStatusBadge status={c.status} />
            {c.error && <span className="w-full text-sm text-red-800 sm:w-auto">{c.error.message}</span>}
          </li>
        ))}
      </ol>
    </div>
  );
}

export function JobResult({ view, payload }: { view: JobView; payload: unknown }) {
  const result = view.result;
  if (view.type === "batch_process") return <Batch result={isObject(result) ? (result as unknown as BatchProcessResult) : null} view={view} />;
  if (!isObject(result)) return null;
  switch (view.type) {
    case "summarize":
      if (typeof result.summary === "string") return <Summary result={result as unknown as SummarizeResult} />;
      break;
    case "extract_content":
      if (typeof result.text === "string") return <Article result={result as unknown as ExtractContentResult} />;
      break;
    case "validate_summary":
      if (typeof result.score === "number") return <SummaryCheck result={result as unknown as ValidateSummaryResult} />;
      break;
    case "calculate_similarity":
      if (typeof result.score === "number" || Array.isArray(result.matrix)) {
        return <Similarity result={result as unknown as CalculateSimilarityResult} payload={payload} />;
      }
      break;
    case "generate_podcast":
      if (typeof result.episodeId === "string") {
        return <p>The episode was created: <code className="break-all rounded bg-slate-100 px-1">{(result as unknown as GeneratePodcastResult).episodeId}</code>.</p>;
      }
      break;
  }
  return <pre className="max-h-96 overflow-auto rounded-lg bg-slate-900 p-3 text-xs text-slate-100 dark:bg-black dark:text-slate-700">{JSON.stringify(result, null, 2)}</pre>;
}
