// The AI job types as plain data: names, what each does, default priorities and the
// priority scale (seed 003). No zod and no I/O, so browser code (the Jobs pages) can import
// it without pulling the payload schemas in; types.ts builds the schemas on top of it.

export const AI_JOB_TYPES = [
  "summarize",
  "extract_content",
  "validate_summary",
  "calculate_similarity",
  "generate_podcast",
  "batch_process",
] as const;
export type AiJobType = (typeof AI_JOB_TYPES)[number];
/** Types a batch may contain (a batch inside a batch is refused). */
export type BatchChildType = Exclude<AiJobType, "batch_process">;

export interface AiJobTypeInfo {
  /** Default priority, 1 … 10 (seed 003's calculateJobPriority). */
  defaultPriority: number;
  /** Whether an AI provider can do it (otherwise local only). */
  usesProvider: boolean;
  description: string;
}

export const AI_JOB_INFO: Record<AiJobType, AiJobTypeInfo> = {
  summarize: {
    defaultPriority: 7,
    usesProvider: true,
    description: "Summarise a text, a web page or an extracted article, with key points.",
  },
  extract_content: {
    defaultPriority: 5,
    usesProvider: false,
    description: "Pull the readable article (title, author, text) out of a web page.",
  },
  validate_summary: {
    defaultPriority: 5,
    usesProvider: true,
    description: "Check how well a text supports a summary of it.",
  },
  calculate_similarity: {
    defaultPriority: 3,
    usesProvider: false,
    description: "Compare two texts, several texts, or several photos.",
  },
  generate_podcast: {
    defaultPriority: 5,
    usesProvider: true,
    description: "Turn a text or a web page into a podcast episode.",
  },
  batch_process: {
    defaultPriority: 5,
    usesProvider: false,
    description: "Run up to 100 jobs of the other types; the batch completes with each one's outcome.",
  },
};

export function isAiJobType(value: unknown): value is AiJobType {
  return typeof value === "string" && (AI_JOB_TYPES as readonly string[]).includes(value);
}

// Priorities (seed 003): CRITICAL 10 · HIGH 7–9 · NORMAL 4–6 · LOW 1–3

export const PRIORITY = {
  CRITICAL: 10,
  HIGH: { min: 7, max: 9 },
  NORMAL: { min: 4, max: 6 },
  LOW: { min: 1, max: 3 },
} as const;
export type PriorityLevel = "critical" | "high" | "normal" | "low";

export function priorityLevel(priority: number): PriorityLevel {
  if (priority >= PRIORITY.CRITICAL) return "critical";
  if (priority >= PRIORITY.HIGH.min) return "high";
  if (priority >= PRIORITY.NORMAL.min) return "normal";
  return "low";
}
