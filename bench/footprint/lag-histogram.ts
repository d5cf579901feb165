/**
 * Frequency-task start lag over a measuring window, from the gateway's own Prometheus histogram
 * (egw_task_start_lag_seconds{kind="frequency"}): two scrapes, subtracted, give the window's runs by
 * bucket. Percentiles are interpolated inside a bucket (as Prometheus' histogram_quantile does), so
 * they are as fine as the buckets (0.5, 1, 2.5, 5, 10 ms …); "share within 5 ms" is exact.
 */

/** Cumulative bucket counts by upper bound (seconds; Infinity for +Inf). */
export type LagBuckets = Map<number, number>;

/** Parses the frequency lag buckets out of a /metrics text. */
export function parseLagBuckets(metricsText: string): LagBuckets {
  const buckets: LagBuckets = new Map();
  const line = /^egw_task_start_lag_seconds_bucket\{le="([^"]+)",kind="frequency"\} (\d+)/gm;
  for (const m of metricsText.matchAll(line)) {
    buckets.set(m[1] === '+Inf' ? Infinity : Number(m[1]), Number(m[2]));
  }
  return buckets;
}

/** Bucket counts of the runs between two scrapes. */
export function subtractBuckets(after: LagBuckets, before: LagBuckets): LagBuckets {
  const diff: LagBuckets = new Map();
  for (const [le, count] of after) diff.set(le, count - (before.get(le) ?? 0));
  return diff;
}

/** Figures of a window: runs, p50/p99 (ms, interpolated), the share of runs ≤ 5 ms, the highest bucket hit. */
export function lagFigures(window: LagBuckets): {
  runs: number;
  p50Ms: number;
  p99Ms: number;
  within5msShare: number;
  maxBucketMs: number;
} {
  const bounds = [...window.keys()].sort((a, b) => a - b);
  const runs = window.get(Infinity) ?? 0;
  const quantile = (q: number): number => {
    const target = q * runs;
    let lower = 0;
    let below = 0;
    for (const le of bounds) {
      const count = window.get(le)!;
      if (count >= target) {
        if (le === Infinity) return lower * 1000;
        const inBucket = count - below;
        return (lower + (le - lower) * (inBucket > 0 ? (target - below) / inBucket : 1)) * 1000;
      }
      lower = le;
      below = count;
    }
    return lower * 1000;
  };
  let maxBucket = 0;
  let previous = 0;
  for (const le of bounds) {
    const count = window.get(le)!;
    if (count > previous) maxBucket = le;
    previous = count;
  }
  return {
    runs,
    p50Ms: runs ? quantile(0.5) : 0,
    p99Ms: runs ? quantile(0.99) : 0,
    within5msShare: runs ? (window.get(0.005) ?? 0) / runs : 1,
    maxBucketMs: maxBucket * 1000,
  };
}
