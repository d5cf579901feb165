/** The contract of a benchmark file `bench/<name>.bench.ts`: a default-exported async function. */

/** Options every benchmark receives from bench/run.ts. */
export interface BenchOptions {
  /** Short run (`npm run bench -- --quick`): the whole quick suite must finish in < 60 s. */
  quick: boolean;
}

/** Named figures a benchmark reports (units in the names, e.g. lagP99Ms, cpuSeconds). */
export type BenchFigures = Record<string, number | string | boolean>;

/** What a benchmark file exports by default. */
export type Bench = (options: BenchOptions) => Promise<BenchFigures>;
