// Words and numbers for AI jobs on screen: type and status names, times, cost, and the
// priority choices a person may make. Browser code: it imports lib/ai-jobs/catalogue, never
// lib/ai-jobs/types (zod's schemas would come along, and zod probes eval, which the CSP blocks).
import { AI_JOB_INFO, AI_JOB_TYPES, PRIORITY, isAiJobType, priorityLevel, type AiJobType, type PriorityLevel } from "@/lib/ai-jobs/catalogue";
import type { JobStatusName } from "@/lib/ai-jobs/view";

export const TYPE_LABELS: Record<AiJobType, string> = {
  summarize: "Summarize",
  extract_content: "Extract an article",
  validate_summary: "Check a summary",
  calculate_similarity: "Compare similarity",
  generate_podcast: "Podcast episode",
  batch_process: "Batch",
};

export const typeLabel = (type: string) => (isAiJobType(type) ? TYPE_LABELS[type] : type);

export const JOB_TYPES = AI_JOB_TYPES;

export const STATUS_LABELS: Record<JobStatusName, string> = {
  queued: "Queued",
  running: "Running",
  completed: "Completed",
  failed: "Failed",
  canceled: "Canceled",
};

export const JOB_STATUSES = Object.keys(STATUS_LABELS) as JobStatusName[];

/** A fixed zone, so the server's and the browser's renderings agree. */
export const formatWhen = (iso: string | null) =>
  iso ? `${new Date(iso).toLocaleString("en-GB", { dateStyle: "medium", timeStyle: "medium", timeZone: "UTC" })} UTC` : "—";

export function formatDuration(ms: number): string {
  if (ms < 1_000) return `${Math.max(0, Math.round(ms))} ms`;
  if (ms < 60_000) return `${(ms / 1_000).toFixed(1)} s`;
  const minutes = Math.floor(ms / 60_000);
  return `${minutes} min ${Math.round((ms % 60_000) / 1_000)} s`;
}

export const formatCost = (usd: number) =>
  usd === 0 ? "$0" : usd < 0.01 ? `$${usd.toPrecision(2)}` : `$${usd.toFixed(2)}`;

export const shortId = (id: string) => id.slice(0, 8);

const LEVEL_NAMES: Record<PriorityLevel, string> = { low: "Low", normal: "Normal", high: "High", critical: "Critical" };
const LEVEL_RANGES: Record<Exclude<PriorityLevel, "critical">, { min: number; max: number }> = {
  low: PRIORITY.LOW,
  normal: PRIORITY.NORMAL,
  high: PRIORITY.HIGH,
};

export interface PriorityChoice {
  level: PriorityLevel;
  label: string;
  /** The number sent as `priority`. */
  value: number;
  /** Above the type's default: only administrators may raise a priority. */
  disabled: boolean;
  isDefault: boolean;
}

/**
 * The priority levels for a type. The level holding the type's default sends the default;
 * a lower level sends its highest number; a higher one is for administrators (the API
 * refuses it for anyone else, lib/ai-jobs/types.ts resolvePriority), and Critical is
 * offered to administrators only.
 */
export function priorityChoices(type: AiJobType, isAdmin: boolean): PriorityChoice[] {
  const fallback = AI_JOB_INFO[type].defaultPriority;
  const choices: PriorityChoice[] = (["low", "normal", "high"] as const).map((level) => {
    const { min, max } = LEVEL_RANGES[level];
    const holdsDefault = fallback >= min && fallback <= max;
    const below = max < fallback;
    const value = holdsDefault ? fallback : below ? max : min;
    const disabled = !holdsDefault && !below && !isAdmin;
    return {
      level,
      value,
      disabled,
      isDefault: holdsDefault,
      label: `${LEVEL_NAMES[level]}${holdsDefault ? " (default)" : ""}${disabled ? " — admins only" : ""}`,
    };
  });
  if (isAdmin) choices.push({ level: "critical", value: PRIORITY.CRITICAL, disabled: false, isDefault: false, label: "Critical" });
  return choices;
}

export const priorityName = (priority: number) => `${LEVEL_NAMES[priorityLevel(priority)]} (${priority})`;

/**
 * A payload for showing: strings past `max` characters are cut (with how much was left
 * out), so a 200,000-character text does not travel to the browser twice.
 */
export function trimForDisplay(value: unknown, max = 2_000): unknown {
  if (typeof value === "string") {
    return value.length > max ? `${value.slice(0, max)}… (${(value.length - max).toLocaleString("en")} more characters)` : value;
  }
  if (Array.isArray(value)) return value.map((v) => trimForDisplay(v, max));
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, trimForDisplay(v, max)]));
  }
  return value;
}
