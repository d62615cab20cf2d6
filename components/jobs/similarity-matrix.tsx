// A similarity matrix as an accessible heat map: a real table (row and column headers, the
// number in every cell), coloured in five steps with a legend, scrolling inside its own box
// on a narrow screen. Below it, a key says what each numbered item is.

/** Five steps, light to dark; the text colour keeps each number readable on its cell. */
const STEPS = [
  { from: 0, label: "0–0.2", cell: "bg-slate-50 text-slate-900" },
  { from: 0.2, label: "0.2–0.4", cell: "bg-indigo-100 text-slate-900" },
  { from: 0.4, label: "0.4–0.6", cell: "bg-indigo-300 text-slate-900" },
  { from: 0.6, label: "0.6–0.8", cell: "bg-indigo-500 text-white" },
  { from: 0.8, label: "0.8–1", cell: "bg-indigo-800 text-white" },
] as const;

const stepOf = (score: number) => [...STEPS].reverse().find((s) => score >= s.from) ?? STEPS[0];

export interface MatrixItem {
  /** Read in the key: the start of a text, or a photo's name. */
  label: string;
  /** A photo's thumbnail, shown in the key. */
  imageUrl?: string;
}

export function SimilarityMatrix({ matrix, items, noun }: { matrix: number[][]; items: MatrixItem[]; noun: "Text" | "Photo" }) {
  const name = (i: number) => `${noun} ${i + 1}`;
  return (
    <div className="space-y-3">
      <div role="region" aria-labelledby="matrix-caption" tabIndex={0}
        className="w-fit max-w-full overflow-x-auto rounded-lg border border-slate-200 bg-white">
        <table className="border-collapse text-sm tabular-nums">
          <caption id="matrix-caption" className="px-3 py-2 text-left text-sm text-slate-600">
            Similarity of each pair, from 0 (unrelated) to 1 (the same)
          </caption>
          <thead>
            <tr>
              <td className="min-w-11" />
              {matrix.map((_, j) => (
                <th key={j} scope="col" className="min-w-14 px-2 py-2 text-center font-medium text-slate-700">
                  <span className="sr-only">{noun} </span>{j + 1}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {matrix.map((row, i) => (
              <tr key={i}>
                <th scope="row" className="px-2 py-2 text-right font-medium text-slate-700">
                  <span className="sr-only">{noun} </span>{i + 1}
                </th>
                {row.map((score, j) => (
                  <td key={j} data-testid="matrix-cell"
                    className={`h-11 min-w-14 border border-white px-2 text-center ${stepOf(score).cell}`}
                    title={`${name(i)} and ${name(j)}: ${score.toFixed(2)}`}>
                    {score.toFixed(2)}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div className="flex flex-wrap items-center gap-x-3 gap-y-1 text-xs text-slate-600" aria-label="Colour legend" role="group">
        <span>Legend:</span>
        {STEPS.map((s) => (
          <span key={s.label} className="inline-flex items-center gap-1">
            <span aria-hidden className={`inline-block h-4 w-6 rounded border border-slate-200 ${s.cell}`} />
            {s.label}
          </span>
        ))}
      </div>
      <ol className="space-y-1 text-sm text-slate-700">
        {items.map((item, i) => (
          <li key={i} className="flex items-center gap-2">
            <span className="w-16 shrink-0 font-medium">{name(i)}</span>
            {item.imageUrl && (
              // eslint-disable-next-line @next/next/no-img-element
              <img src={item.imageUrl} alt="" className="h-10 w-10 shrink-0 rounded object-cover" />
            )}
            <span className="min-w-0 truncate">{item.label}</span>
          </li>
        ))}
      </ol>
    </div>
  );
}

/** One score in words, for `{ a, b }`. */
export function similarityWords(score: number): string {
  if (score >= 0.8) return "Very similar";
  if (score >= 0.6) return "Similar";
  if (score >= 0.4) return "Somewhat similar";
  if (score >= 0.2) return "A little similar";
  return "Unrelated";
}
