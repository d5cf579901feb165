// Two live charts on uPlot (served by the gateway from node_modules, no CDN): the 10 Hz grid frequency
// of one device and the AC power of every device, each over a sliding window.
import uPlot from '/vendor/uplot/uPlot.esm.js';

const COLORS = ['#2f80ed', '#eb5757', '#27ae60', '#f2994a', '#9b51e0', '#56ccf2'];

function size(el) {
  return { width: Math.max(280, el.clientWidth), height: window.innerWidth < 600 ? 180 : 240 };
}

/** A line chart whose data is replaced wholesale; redraws at most once per animation frame. */
class LiveChart {
  constructor(el, opts) {
    this.el = el;
    this.opts = opts;
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

/** Frequency of one device over the last windowS seconds. */
export function frequencyChart(el, windowS = 120) {
  const chart = new LiveChart(el, {
    scales: { x: { time: true } },
    axes: [{}, { label: 'Hz', size: 60 }],
  });
  const samples = new Map(); // device → [{ts, hz}]
  return {
    add(sample) {
      const list = samples.get(sample.device) ?? [];
      list.push(sample);
      const cutoff = sample.ts - windowS * 1000;
      while (list.length > 0 && list[0].ts < cutoff) list.shift();
      samples.set(sample.device, list);
    },
    render(device) {
      const list = samples.get(device) ?? [];
      chart.draw([device], [list.map((s) => s.ts / 1000), list.map((s) => s.hz)]);
    },
  };
}

/** AC power (or meter grid power) of every device over the last windowS seconds. */
export function powerChart(el, windowS = 600) {
  const chart = new LiveChart(el, { scales: { x: { time: true } }, axes: [{}, { label: 'W', size: 60 }] });
  const points = new Map(); // device → [[tsS, W]]
  return {
    add(reading) {
      const watts = reading.ac_power_w ?? reading.grid_power_w;
      if (watts === undefined) return;
      const list = points.get(reading.device) ?? [];
      list.push([reading.ts / 1000, watts]);
      const cutoff = reading.ts / 1000 - windowS;
      while (list.length > 0 && list[0][0] < cutoff) list.shift();
      points.set(reading.device, list);
      const devices = [...points.keys()].sort();
      const tables = devices.map((d) => {
        const l = points.get(d);
        return [l.map((p) => p[0]), l.map((p) => p[1])];
      });
      chart.draw(devices, tables.length === 1 ? tables[0] : uPlot.join(tables));
    },
  };
}
