// Two live charts on uPlot (served by the gateway from node_modules, no CDN): the 10 Hz grid frequency
// of one device and the AC power of every device, each over a sliding window. Both start from the
// recent points the API keeps (frequency, power), then follow the live events.
import uPlot from '/vendor/uplot/uPlot.esm.js';

const COLORS = ['#2f80ed', '#eb5757', '#27ae60', '#f2994a', '#9b51e0', '#56ccf2'];

function size(el) {
  return { width: Math.max(280, el.clientWidth), height: window.innerWidth < 600 ? 180 : 240 };
}

/** Wall time of a tick (s since the epoch) as HH:MM:SS, local time, 24 hours. */
export function clockLabel(seconds) {
  const t = new Date(seconds * 1000);
  return [t.getHours(), t.getMinutes(), t.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
}

/** Tick steps of whole seconds and up: a 10 Hz chart must not get ticks (and labels) in milliseconds. */
const TIME_STEPS_S = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600];

/** The x axis: HH:MM:SS labels; the labels drawn last are kept in data-x-labels (what tests read). */
function timeAxis(el) {
  return {
    incrs: TIME_STEPS_S,
    values: (_plot, ticks) => {
      const labels = ticks.map(clockLabel);
      el.dataset.xLabels = labels.join(' ');
      return labels;
    },
  };
}

/** A line chart whose data is replaced wholesale; redraws at most once per animation frame. */
class LiveChart {
  constructor(el, unit) {
    this.el = el;
    this.opts = { scales: { x: { time: true } }, axes: [timeAxis(el), { label: unit, size: 60 }] };
    this.plot = undefined;
    this.pending = false;
    this.seriesKey = '';
    window.addEventListener('resize', () => this.plot?.setSize(size(el)));
  }

  /** names: series labels; data: [xs (s), ...ys]. */
  draw(names, data) {
    this.latest = { names, data };
    if (this.pending) return;
    this.pending = true;
    window.requestAnimationFrame(() => {
      this.pending = false;
      const { names: n, data: d } = this.latest;
      const key = n.join('|');
      if (!this.plot || key !== this.seriesKey) {
        this.plot?.destroy();
        this.seriesKey = key;
        const series = [
          {},
          ...n.map((label, i) => ({ label, stroke: COLORS[i % COLORS.length], width: 1.5, spanGaps: true })),
        ];
        this.plot = new uPlot({ ...size(this.el), ...this.opts, series }, d, this.el);
      } else {
        this.plot.setData(d);
      }
      this.el.dataset.points = String(d[0].length);
      this.el.dataset.updates = String(Number(this.el.dataset.updates ?? 0) + 1);
    });
  }
}

/** Appends `point` ([x s, …]) to a list sorted by x unless it is not newer; drops points before cutoff. */
function append(list, point, cutoff) {
  if (list.length > 0 && point[0] <= list[list.length - 1][0]) return;
  list.push(point);
  while (list.length > 0 && list[0][0] < cutoff) list.shift();
}

/** Frequency of one device over the last windowS seconds. */
export function frequencyChart(el, windowS = 120) {
  const chart = new LiveChart(el, 'Hz');
  const samples = new Map(); // device → [[tsS, Hz]]
  const add = (device, ts, hz) => {
    const list = samples.get(device) ?? [];
    append(list, [ts / 1000, hz], ts / 1000 - windowS);
    samples.set(device, list);
  };
  return {
    /** One live sample {device, ts (ms), hz}. */
    add(sample) {
      add(sample.device, sample.ts, sample.hz);
    },
    /** The recent samples of GET /api/devices/:id/frequency. */
    load(device, list) {
      for (const s of list) add(device, s.ts, s.hz);
    },
    /** Whether a device has samples to show. */
    has(device) {
      return (samples.get(device)?.length ?? 0) > 0;
    },
    render(device) {
      const list = samples.get(device) ?? [];
      chart.draw([device], [list.map((p) => p[0]), list.map((p) => p[1])]);
    },
  };
}

/** AC power (or meter grid power) of every device over the last windowS seconds. */
export function powerChart(el, windowS = 600) {
  const chart = new LiveChart(el, 'W');
  const points = new Map(); // device → [[tsS, W]]
  const add = (device, ts, watts) => {
    if (watts === undefined || watts === null) return;
    const list = points.get(device) ?? [];
    append(list, [ts / 1000, watts], ts / 1000 - windowS);
    points.set(device, list);
  };
  const render = () => {
    const devices = [...points.keys()].filter((d) => points.get(d).length > 0).sort();
    if (devices.length === 0) return;
    const tables = devices.map((d) => {
      const l = points.get(d);
      return [l.map((p) => p[0]), l.map((p) => p[1])];
    });
    chart.draw(devices, tables.length === 1 ? tables[0] : uPlot.join(tables));
  };
  return {
    /** One live reading. */
    add(reading) {
      add(reading.device, reading.ts, reading.ac_power_w ?? reading.grid_power_w);
      render();
    },
    /** The recent points of GET /api/devices/:id/power, drawn once. */
    load(device, list) {
      for (const p of list) add(device, p.ts, p.w);
      render();
    },
  };
}
