/**
 * Decides when the web API should refuse heavy reads so the 10 Hz sampling keeps its cadence. All of
 * the API and the sampling share one event loop: when HTTP work saturates it, timers fire late and
 * sampling runs start late or miss their slot. The shedder listens to the task engine's own run
 * reports (it is a TaskObserver) and sheds only while BOTH hold over the last windowMs:
 *  - behind: ≥ LATE_SHARE of the sampling runs (≥ MIN_RUNS runs, ≥ MIN_LATE_RUNS of them late) started
 *    more than lagMs after their due time;
 *  - busy: the API received ≥ minRequestsPerS requests per second, a heavy read (every batch, every
 *    metric) counting as many (load-shedding.ts HEAVY_REQUEST_WEIGHT): the cost of the requests, not
 *    their number, is what takes the event loop — 15 answers of 6 MB a second starved sampling while
 *    staying far below any plain request-rate threshold.
 * A skipped slot (overrun: the previous run still in flight) counts as a late run: on a saturated
 * machine the replies of the devices are handled late, the reads outlast their period and slots are
 * lost although every run started on time. The second condition makes sure it is the API that is to
 * blame: a slow machine with an idle API, a slow device while the dashboard polls, or a test without
 * sampling tasks never sheds. Once it sheds, it keeps shedding for HOLD_WINDOWS windows after sampling
 * was last seen behind (and as long as the API stays busy): while it sheds, sampling recovers at once,
 * so without the hold a flood would be let through again every window and hurt sampling each time.
 * The window is kept in BUCKETS time buckets, so memory and work per call are constant.
 */
import type { Clock } from '../core/clock.ts';
import type { TaskObserver, TaskRunReport } from '../engine/task.ts';

/** Thresholds (config http.shedding). */
export interface LoadSheddingOptions {
  /** A sampling run starting later than this after its due time counts as late, ms; 0 = never shed. */
  lagMs: number;
  /** Sliding window the shares and rates are taken over, ms. */
  windowMs: number;
  /** The API counts as busy from this many requests per second (over the window). */
  minRequestsPerS: number;
}

/** The defaults (the config schema's defaults, also used when the API is built without config). */
export const DEFAULT_LOAD_SHEDDING: LoadSheddingOptions = { lagMs: 20, windowMs: 2000, minRequestsPerS: 50 };
/** Share of late sampling runs in the window from which the process counts as behind. */
export const LATE_SHARE = 0.1;
/** Fewer runs than this in the window say nothing (e.g. right after start). */
export const MIN_RUNS = 20;
/** At least this many late runs: a single late tick never sheds. */
export const MIN_LATE_RUNS = 5;
/** Task kinds whose lag is watched: the sampling tasks. */
export const SAMPLING_KINDS: ReadonlySet<string> = new Set(['frequency', 'harvest']);
/** After sampling was last seen behind, shedding goes on for this many windows (while busy). */
export const HOLD_WINDOWS = 5;
const BUCKETS = 10;

/** What /api/stats shows of the shedder. */
export interface LoadShedderState {
  shedding: boolean;
  busy: boolean;
  /** Requests answered 503 since start. */
  shedRequests: number;
  /** In the window: sampling runs, late ones, API requests per second. */
  window: { runs: number; lateRuns: number; requestsPerS: number };
}

/** Sliding-window load-shedding decision over task-run reports and request arrivals. */
export class LoadShedder implements TaskObserver {
  /** Seconds a shed client is told to wait: long enough for the window to show the effect. */
  readonly retryAfterS: number;
  private readonly bucketMs: number;
  private readonly runs = new Float64Array(BUCKETS);
  private readonly late = new Float64Array(BUCKETS);
  private readonly requests = new Float64Array(BUCKETS);
  /** Index (monotonic ms / bucketMs) of the newest bucket. */
  private current = -1;
  private shed = 0;
  /** Monotonic ms until which busy requests are shed (extended while sampling is behind). */
  private readonly clock: Clock;
  readonly options: LoadSheddingOptions;
  private shedUntilMs = -Infinity;

  constructor(
    clock: Clock,
    /** The thresholds in force. */
    options: LoadSheddingOptions = DEFAULT_LOAD_SHEDDING,
  ) {
    this.clock = clock;
    this.options = options;
    if (!(options.windowMs >= BUCKETS) || !(options.lagMs >= 0) || !(options.minRequestsPerS >= 0)) {
      throw new RangeError(
        `load shedding ${JSON.stringify(options)}: windowMs must be ≥ ${BUCKETS}, lagMs and minRequestsPerS ≥ 0`,
      );
    }
    this.bucketMs = options.windowMs / BUCKETS;
    this.retryAfterS = Math.max(1, Math.ceil(options.windowMs / 1000));
  }

  /** TaskObserver hook: records the start lag of sampling runs. */
  runFinished(report: TaskRunReport): void {
    if (!SAMPLING_KINDS.has(report.kind)) return;
    const i = this.advance();
    this.runs[i]! += 1;
    if (report.lagMs > this.options.lagMs) this.late[i]! += 1;
  }

  /** TaskObserver hook: a skipped sampling slot counts as a late run. */
  overrun(kind: string): void {
    if (!SAMPLING_KINDS.has(kind)) return;
    const i = this.advance();
    this.runs[i]! += 1;
    this.late[i]! += 1;
  }

  /** Counts one API request (served or not) towards the busy rate; a heavy one counts `weight` times. */
  requestArrived(weight = 1): void {
    this.requests[this.advance()]! += weight;
  }

  /** Counts one request answered 503. */
  recordShed(): void {
    this.shed += 1;
  }

  /** Whether the API received at least minRequestsPerS over the window. */
  busy(): boolean {
    this.advance();
    return this.requestsPerS() >= this.options.minRequestsPerS;
  }

  /** Whether sampling is behind: enough of its recent slots started late or were skipped. */
  behind(): boolean {
    if (this.options.lagMs === 0) return false;
    this.advance();
    const runs = sum(this.runs);
    const late = sum(this.late);
    return runs >= MIN_RUNS && late >= MIN_LATE_RUNS && late >= LATE_SHARE * runs;
  }

  /** Whether a sheddable request should be answered 503 now. */
  shouldShed(): boolean {
    if (!this.busy()) return false;
    const nowMs = this.clock.monotonicMs();
    if (this.behind()) this.shedUntilMs = nowMs + HOLD_WINDOWS * this.options.windowMs;
    return nowMs < this.shedUntilMs;
  }

  /** A snapshot for /api/stats. */
  state(): LoadShedderState {
    return {
      shedding: this.shouldShed(),
      busy: this.busy(),
      shedRequests: this.shed,
      window: {
        runs: sum(this.runs),
        lateRuns: sum(this.late),
        requestsPerS: Math.round(this.requestsPerS()),
      },
    };
  }

  private requestsPerS(): number {
    return sum(this.requests) / (this.options.windowMs / 1000);
  }

  /** Moves the window to now, clearing buckets that fell out of it; returns the current bucket. */
  private advance(): number {
    const index = Math.floor(this.clock.monotonicMs() / this.bucketMs);
    if (index !== this.current) {
      const stale = Math.min(BUCKETS, index - this.current);
      for (let k = 1; k <= stale; k++) {
        const i = (this.current + k) % BUCKETS;
        this.runs[i] = 0;
        this.late[i] = 0;
        this.requests[i] = 0;
      }
      this.current = index;
    }
    return index % BUCKETS;
  }
}

function sum(values: Float64Array): number {
  let total = 0;
  for (const v of values) total += v;
  return total;
}
