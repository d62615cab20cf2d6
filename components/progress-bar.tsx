"use client";

import * as Progress from "@radix-ui/react-progress";

const tones = {
  active: "bg-indigo-600",
  done: "bg-emerald-600",
  failed: "bg-red-600",
} as const;

/** An accessible progress bar: `value` is 0..1, `label` names what is progressing. */
export function ProgressBar({ value, label, valueText, tone = "active" }: {
  value: number;
  label: string;
  valueText: string;
  tone?: keyof typeof tones;
}) {
  const percent = Math.round(Math.min(1, Math.max(0, value)) * 100);
  return (
    <Progress.Root
      value={percent}
      max={100}
      aria-label={label}
      getValueLabel={() => valueText}
      className="relative h-2 w-full overflow-hidden rounded-full bg-slate-200"
    >
      <Progress.Indicator
        className={`h-full w-full transition-transform duration-300 ease-out motion-reduce:transition-none ${tones[tone]}`}
        style={{ transform: `translateX(-${100 - percent}%)` }}
      />
    </Progress.Root>
  );
}
