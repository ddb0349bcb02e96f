// Draws the error timeline as inline SVG: stacked bars per minute by language, a dashed
// marker at the trigger, and the Agent's reachability as a strip underneath. No scripts,
// no external resources; <title> elements give native tooltips.
import { esc, hhmm } from './html.js';
import { MINUTE, type Timeline } from './timeline.js';

/** Colours per tracer, chosen to stay distinguishable side by side. */
const COLOURS: Record<string, string> = {
  java: '#e07b39',
  python: '#3776ab',
  go: '#00a7c4',
  ruby: '#c2344d',
  nodejs: '#5a9e3a',
  dotnet: '#7a4fc2',
  php: '#4f5b93',
  cpp: '#6b7280',
  'otel-collector': '#b58900',
};
const FALLBACK = ['#d97706', '#0f766e', '#9d174d', '#1d4ed8', '#65a30d', '#a21caf', '#0369a1', '#92400e'];

export function seriesColour(key: string, index: number): string {
  if (COLOURS[key]) return COLOURS[key];
  const otel = ['#0d9488', '#14b8a6', '#0f766e', '#2dd4bf'];
  if (key.startsWith('otel-')) return otel[index % otel.length] ?? '#0d9488';
  return FALLBACK[index % FALLBACK.length] ?? '#64748b';
}

const W = 960;
const PAD_L = 44;
const PAD_R = 16;
const PAD_T = 22;
const PLOT_H = 190;
const AXIS_H = 22;
const REACH_H = 16;

function niceMax(peak: number): number {
  if (peak <= 4) return Math.max(1, peak);
  const mag = 10 ** Math.floor(Math.log10(peak));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * mag >= peak) return m * mag;
  return 10 * mag;
}

function kindText(kinds: Record<string, number>): string {
  return Object.entries(kinds)
    .sort((a, b) => b[1] - a[1])
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
}

export function renderTimelineSvg(t: Timeline): string {
  const plotW = W - PAD_L - PAD_R;
  const bw = plotW / t.minutes;
  const yMax = niceMax(t.peak);
  const y = (v: number) => PAD_T + PLOT_H - (v / yMax) * PLOT_H;
  const xOf = (ms: number) => PAD_L + ((ms - t.start) / MINUTE) * bw;
  const reachTop = PAD_T + PLOT_H + AXIS_H + 8;
  const H = reachTop + REACH_H + 22;
  const parts: string[] = [];

  // Grid and y labels.
  const ticks = yMax <= 4 ? yMax : 4;
  for (let i = 0; i <= ticks; i++) {
    const v = (yMax / ticks) * i;
    const yy = y(v).toFixed(1);
    parts.push(`<line class="grid" x1="${PAD_L}" x2="${W - PAD_R}" y1="${yy}" y2="${yy}"/>`);
    parts.push(
      `<text class="ylabel" x="${PAD_L - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end">${Number.isInteger(v) ? v : v.toFixed(1)}</text>`,
    );
  }

  // Stacked bars.
  const gap = bw > 6 ? 1.5 : bw > 3 ? 0.5 : 0;
  for (let m = 0; m < t.minutes; m++) {
    let acc = 0;
    const minuteStart = t.start + m * MINUTE;
    t.series.forEach((s, si) => {
      const n = s.counts[m] ?? 0;
      if (n === 0) return;
      const y0 = y(acc);
      const y1 = y(acc + n);
      acc += n;
      const x = PAD_L + m * bw + gap / 2;
      parts.push(
        `<rect class="bar" data-series="${esc(s.key)}" data-minute="${hhmm(minuteStart)}" data-count="${n}" x="${x.toFixed(2)}" y="${y1.toFixed(2)}" width="${Math.max(0.5, bw - gap).toFixed(2)}" height="${Math.max(0.5, y0 - y1).toFixed(2)}" fill="${seriesColour(s.key, si)}">` +
          `<title>${esc(`${hhmm(minuteStart)} UTC · ${s.key}: ${n} (${kindText(s.kinds[m] ?? {})})`)}</title></rect>`,
      );
    });
  }

  if (t.total === 0) {
    parts.push(
      `<text class="empty" x="${PAD_L + plotW / 2}" y="${PAD_T + PLOT_H / 2}" text-anchor="middle">no connection errors in this window</text>`,
    );
  }

  // X axis labels: about eight, on round minutes.
  const step = [1, 2, 5, 10, 15, 30, 60, 120].find((s) => t.minutes / s <= 8) ?? 240;
  const axisY = PAD_T + PLOT_H;
  parts.push(`<line class="axis" x1="${PAD_L}" x2="${W - PAD_R}" y1="${axisY}" y2="${axisY}"/>`);
  for (let m = 0; m <= t.minutes; m++) {
    const at = t.start + m * MINUTE;
    if ((at / MINUTE) % step !== 0) continue;
    const x = xOf(at).toFixed(1);
    parts.push(`<line class="tick" x1="${x}" x2="${x}" y1="${axisY}" y2="${axisY + 4}"/>`);
    parts.push(`<text class="xlabel" x="${x}" y="${axisY + 16}" text-anchor="middle">${hhmm(at)}</text>`);
  }

  // Trigger marker.
  if (t.trigger !== undefined && t.trigger >= t.start && t.trigger <= t.start + t.minutes * MINUTE) {
    const x = xOf(t.trigger).toFixed(1);
    parts.push(
      `<g class="trigger-marker" data-at="${new Date(t.trigger).toISOString()}"><line x1="${x}" x2="${x}" y1="${PAD_T - 6}" y2="${reachTop + REACH_H}"/>` +
        `<text x="${x}" y="${PAD_T - 9}" text-anchor="middle">trigger ${hhmm(t.trigger)}</text><title>bundle triggered at ${esc(new Date(t.trigger).toISOString())}</title></g>`,
    );
  }

  // Agent reachability strip: each sample holds until the next one.
  parts.push(`<text class="reach-label" x="${PAD_L - 6}" y="${reachTop + REACH_H - 4}" text-anchor="end">Agent</text>`);
  parts.push(`<g class="reachability" data-samples="${t.reach.length}">`);
  if (t.reach.length === 0) {
    parts.push(`<rect class="reach none" x="${PAD_L}" y="${reachTop}" width="${plotW}" height="${REACH_H}"/>`);
    parts.push(
      `<text class="reach-empty" x="${PAD_L + plotW / 2}" y="${reachTop + REACH_H - 4}" text-anchor="middle">no Agent probes recorded in this window</text>`,
    );
  } else {
    const end = t.start + t.minutes * MINUTE;
    t.reach.forEach((r, i) => {
      const next = t.reach[i + 1]?.at ?? Math.min(end, r.at + MINUTE);
      const x0 = xOf(r.at);
      const x1 = Math.max(x0 + 1.5, xOf(next));
      parts.push(
        `<rect class="reach ${r.ok ? 'ok' : 'down'}" shape-rendering="crispEdges" x="${x0.toFixed(2)}" y="${reachTop}" width="${(x1 - x0).toFixed(2)}" height="${REACH_H}">` +
          `<title>${esc(`${new Date(r.at).toISOString().slice(11, 19)} UTC · Agent ${r.ok ? 'reachable' : 'unreachable'}${r.detail ? ` — ${r.detail}` : ''}`)}</title></rect>`,
      );
    });
  }
  parts.push('</g>');
  parts.push(
    `<text class="caption" x="${PAD_L}" y="${H - 4}">errors per minute (UTC)${t.hiddenBefore ? ` · ${t.hiddenBefore} earlier errors not shown` : ''}</text>`,
  );

  return (
    `<svg id="error-timeline" class="timeline" viewBox="0 0 ${W} ${H}" width="100%" role="img" aria-label="Connection errors per minute by language" ` +
    `data-minutes="${t.minutes}" data-total="${t.total}" data-series="${esc(t.series.map((s) => s.key).join(','))}" xmlns="http://www.w3.org/2000/svg">` +
    parts.join('') +
    '</svg>'
  );
}
