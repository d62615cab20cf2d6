// The shape of a benchmark scenario. Each lives in bench/<id>.ts and exports `scenario`;
// the runner (bench/run.ts) gives it the shared resources, prints its rows and writes
// bench/results/<id>.json.
import type { Row } from "./report";
import type { Resources } from "./stack";

export interface ScenarioContext {
  resources: Resources;
  /** BENCH_QUICK=1 or --quick: fewer samples, for checking the harness, not for figures. */
  quick: boolean;
  log(line: string): void;
}

export interface ScenarioOutcome {
  rows: Row[];
  notes?: string[];
  data?: unknown;
  /** Set when the scenario cannot run on this checkout (the reason is reported). */
  skipped?: string;
}

export interface Scenario {
  number: number;
  id: string;
  title: string;
  /** The target as the issue states it. */
  target: string;
  run(ctx: ScenarioContext): Promise<ScenarioOutcome>;
}
