/**
 * The soak: the homework network trains in the engine's worker for N minutes
 * while the panel's real bundle draws it in Chromium, fed at the setting's rate
 * as VS Code feeds it (its requests for matrices answered too). The host side
 * runs in a process of its own (host.ts), as in VS Code's extension host. Every
 * few seconds the soak samples the engine's heap, the host's heap, the host
 * process's RSS, the webview's JS heap and the elements in its document (each
 * heap after a full collection), and fails when any grows after the warm-up
 * beyond its bound.
 *
 *   npm run soak -- --minutes 30
 */
import { fork } from 'node:child_process';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import type { Page } from 'playwright-core';
import { parseWebviewMessage, type HostMessage } from '../../engine';
import { openPanel } from '../webview/harness';
import type { HostReport, HostRequest } from './host';
import manifest from '../../package.json';

const MB = 1024 * 1024;

export interface Sample {
  readonly seconds: number;
  readonly step: number;
  readonly workerHeap: number;
  readonly hostHeap: number;
  readonly rss: number;
  readonly webviewHeap: number;
  readonly domNodes: number;
}

type Measure = Exclude<keyof Sample, 'seconds' | 'step'>;

/**
 * How much each figure's floor may rise after the warm-up: room for noise and
 * for the epoch table's first 20 rows, far below what a leak makes of minutes.
 */
export const BOUNDS: Record<Measure, number> = {
  workerHeap: 4 * MB,
  hostHeap: 4 * MB,
  rss: 32 * MB,
  webviewHeap: 4 * MB,
  domNodes: 400,
};

export interface SoakResult {
  readonly samples: Sample[];
  /** Each figure's floor (its lowest value) in the first and the last third of the samples after the warm-up. */
  readonly floors: { readonly first: Record<Measure, number>; readonly last: Record<Measure, number> };
  /** Growth past each bound, in words; empty when the soak passed. */
  readonly failures: string[];
}

const rate = (manifest.contributes.configuration.properties['backpropLens.panelUpdatesPerSecond'] as { default: number }).default;

/** Posts to the page as VS Code does: without waiting for it to draw. */
function post(page: Page, message: HostMessage): void {
  page.evaluate((m) => window.postMessage(m, '*'), message).catch(() => undefined);
}

export async function soak(minutes: number, everySeconds: number, onSample: (s: Sample) => void = () => {}): Promise<SoakResult> {
  const { browser, page } = await openPanel();
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  const host = fork(path.join(__dirname, 'host.ts'), [], { execArgv: ['--import', 'tsx'], serialization: 'advanced' });
  let step = 0, failure: string | null = null, measured: ((m: Extract<HostReport, { kind: 'measured' }>) => void) | null = null;
  host.on('message', (report: HostReport) => {
    if (report.kind === 'panel') {
      if (report.message.type === 'snapshot') step = report.message.snapshot.step;
      post(page, report.message);
    } else if (report.kind === 'measured') measured?.(report);
    else failure = report.message;
  });
  const ask = (request: HostRequest): void => void host.send(request);
  // The panel's own requests, answered as the extension answers them.
  const answer = async (): Promise<void> => {
    const messages = await page.evaluate(() => (window as unknown as { posted: unknown[] }).posted.splice(0));
    for (const raw of messages) {
      const m = parseWebviewMessage(raw);
      if (m?.type === 'requestMatrix') ask({ kind: 'requestMatrix', layer: m.layer, name: m.name });
    }
  };
  let answered: Promise<void> = Promise.resolve();
  const answering = setInterval(() => (answered = answer().catch(() => undefined)), 250);
  const samples: Sample[] = [];
  const started = performance.now();
  try {
    ask({ kind: 'start', updatesPerSecond: rate });
    const end = started + minutes * 60_000;
    while (performance.now() < end) {
      await new Promise((resolve) => setTimeout(resolve, everySeconds * 1000));
      if (failure) throw new Error(failure);
      const fromHost = new Promise<Extract<HostReport, { kind: 'measured' }>>((resolve) => (measured = resolve));
      ask({ kind: 'measure' });
      await cdp.send('HeapProfiler.collectGarbage');
      const { metrics } = await cdp.send('Performance.getMetrics');
      const metric = (name: string): number => metrics.find((m) => m.name === name)?.value ?? NaN;
      // Elements in the document: what the page shows. Detached nodes still held would be in the JS heap.
      const domNodes = await page.evaluate(() => document.getElementsByTagName('*').length);
      const { workerHeap, hostHeap, rss } = await fromHost;
      const sample: Sample = {
        seconds: (performance.now() - started) / 1000, step, workerHeap, hostHeap, rss,
        webviewHeap: metric('JSHeapUsedSize'), domNodes,
      };
      samples.push(sample);
      onSample(sample);
    }
  } finally {
    clearInterval(answering);
    await answered;
    host.disconnect();
    await browser.close();
  }
  return judge(samples, minutes);
}

/**
 * After the warm-up (a fifth of the soak, 10 s at least), each figure's floor in
 * the last third of the samples against its floor in the first third. Floors,
 * because some figures swing (RSS with the allocator, DOM nodes with what is on
 * show), while a leak raises even the lowest values.
 */
export function judge(samples: Sample[], minutes: number): SoakResult {
  const warmUp = Math.max(10, minutes * 12);
  const after = samples.filter((s) => s.seconds >= warmUp);
  if (after.length < 3) throw new Error(`the soak took ${samples.length} samples, too few after its ${warmUp} s warm-up`);
  const third = Math.floor(after.length / 3);
  const floor = (part: Sample[]): Record<Measure, number> =>
    Object.fromEntries((Object.keys(BOUNDS) as Measure[]).map((k) => [k, Math.min(...part.map((s) => s[k]))])) as Record<Measure, number>;
  const first = floor(after.slice(0, third)), last = floor(after.slice(-third));
  const failures = (Object.keys(BOUNDS) as Measure[]).flatMap((key) => {
    const growth = last[key] - first[key];
    return growth > BOUNDS[key] ? [`${key}'s floor rose by ${format(key, growth)} (from ${format(key, first[key])} to ${format(key, last[key])}), more than its bound of ${format(key, BOUNDS[key])}`] : [];
  });
  return { samples, floors: { first, last }, failures };
}

export function format(key: Measure, value: number): string {
  return key === 'domNodes' ? String(Math.round(value)) : `${(value / MB).toFixed(1)} MB`;
}

export function row(s: Sample): string {
  return `${s.seconds.toFixed(0).padStart(5)} s  step ${String(s.step).padStart(7)}  worker ${format('workerHeap', s.workerHeap).padStart(9)}  host ${format('hostHeap', s.hostHeap).padStart(9)}  ` +
    `rss ${format('rss', s.rss).padStart(9)}  webview ${format('webviewHeap', s.webviewHeap).padStart(9)}  DOM nodes ${format('domNodes', s.domNodes)}`;
}

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { minutes: { type: 'string', default: '1' }, every: { type: 'string', default: '5' } } });
  const minutes = Number(values.minutes), every = Number(values.every);
  if (!(minutes > 0) || !(every > 0)) {
    console.error('usage: npm run soak -- --minutes N [--every SECONDS]');
    return 2;
  }
  console.log(`soak: the homework network for ${minutes} min, the panel fed ${rate} snapshots a second, a sample every ${every} s`);
  console.log(`bounds on each floor's rise after the warm-up: ${(Object.keys(BOUNDS) as Measure[]).map((k) => `${k} +${format(k, BOUNDS[k])}`).join(', ')}`);
  const result = await soak(minutes, every, (s) => console.log(row(s)));
  for (const [when, floors] of [['first', result.floors.first], ['last', result.floors.last]] as const) {
    console.log(`floors, ${when} third after the warm-up: ${(Object.keys(BOUNDS) as Measure[]).map((k) => `${k} ${format(k, floors[k])}`).join(', ')}`);
  }
  for (const f of result.failures) console.log(`FAIL: ${f}`);
  console.log(result.failures.length === 0 ? 'soak passed: nothing grew beyond its bound' : 'soak failed');
  return result.failures.length === 0 ? 0 : 1;
}

if (require.main === module) {
  void main().then((code) => {
    process.exitCode = code;
  });
}
