/**
 * Wallboard benchmark (SPEC §7: 1,000 agents changing 100 times a second).
 * Debian's Chromium shows the built board against a synthetic feed
 * (test/factories/fake-feed.ts); inside the page a requestAnimationFrame loop
 * records every frame's duration and the seq the board shows (its `data-seq`);
 * the feed records when each seq was written. So:
 *   frame time = the gap between frames (16.7 ms is a frame every vsync),
 *   lag        = when the board first showed seq N − when the feed wrote N.
 * The baseline is the same board with the feed silent, in the same run.
 *
 *   npm run bench:wallboard [-- --agents 1000 --groups 10 --rates 0,100,400,1000 --seconds 10]
 */
import { parseArgs } from "node:util";
import { launchBrowser } from "../test/factories/browser.js";
import { startFeed } from "../test/factories/fake-feed.js";

const { values } = parseArgs({
  options: {
    agents: { type: "string", default: "1000" },
    groups: { type: "string", default: "10" },
    rates: { type: "string", default: "0,100,400,1000" },
    seconds: { type: "string", default: "10" },
  },
});
const agents = Number(values.agents);
const groups = Number(values.groups);
const seconds = Number(values.seconds);
const rates = values.rates.split(",").map(Number);

interface Samples {
  frames: number[];
  seen: [number, number][];
  longTasks: number;
  finalSeq: number;
}

/**
 * Runs in the page. A string, not a function: tsx's transform would add
 * helpers to a function's text that do not exist in the page.
 */
const MEASURE = `async (ms) => {
  const board = document.querySelector(".board");
  const frames = [];
  const seen = [];
  let longTasks = 0;
  const observer = new PerformanceObserver((list) => { longTasks += list.getEntries().length; });
  try { observer.observe({ entryTypes: ["longtask"] }); } catch {}
  let lastSeq = Number(board.dataset.seq);
  let last = performance.now();
  const end = last + ms;
  await new Promise((resolve) => {
    const frame = (now) => {
      frames.push(now - last);
      last = now;
      const seq = Number(board.dataset.seq);
      if (seq !== lastSeq) { seen.push([seq, Date.now()]); lastSeq = seq; }
      if (now < end) requestAnimationFrame(frame); else resolve();
    };
    requestAnimationFrame(frame);
  });
  observer.disconnect();
  return { frames, seen, longTasks, finalSeq: Number(board.dataset.seq) };
}`;

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

interface Round {
  rate: number;
  frames: number;
  frameP50: number;
  frameP99: number;
  frameMax: number;
  longTasks: number;
  lagP50: number;
  lagP99: number;
  lagMax: number;
  behindAtEnd: number;
}

async function round(rate: number): Promise<Round> {
  const feed = await startFeed({ agents, groups, rate });
  const browser = await launchBrowser({ width: 1920, height: 1080 });
  try {
    const { page } = browser;
    await page.goto(feed.url);
    await page.fill("input[name=externalId]", "bench@example.com");
    await page.fill("input[name=password]", "bench");
    await page.click("button[type=submit]");
    await page.waitForSelector(".agent");
    await page.waitForTimeout(1000); // warm up
    const samples = (await page.evaluate(`(${MEASURE})(${seconds * 1000})`)) as Samples;
    const frames = samples.frames.slice(1).sort((a, b) => a - b);
    const lags: number[] = [];
    for (const [seq, at] of samples.seen) {
      const sent = feed.sentAt.get(seq);
      if (sent !== undefined) lags.push(at - sent);
    }
    lags.sort((a, b) => a - b);
    return {
      rate,
      frames: frames.length,
      frameP50: quantile(frames, 0.5),
      frameP99: quantile(frames, 0.99),
      frameMax: frames[frames.length - 1] ?? Number.NaN,
      longTasks: samples.longTasks,
      lagP50: quantile(lags, 0.5),
      lagP99: quantile(lags, 0.99),
      lagMax: lags[lags.length - 1] ?? Number.NaN,
      behindAtEnd: feed.lastSeq() - samples.finalSeq,
    };
  } finally {
    await browser.close();
    await feed.close();
  }
}

const f = (n: number) => (Number.isNaN(n) ? "–" : n.toFixed(1));
console.log(`wallboard: ${agents} agents in ${groups} groups, ${seconds} s per round, Chromium headless 1920×1080`);
console.log(
  "changes/s  frames  frame p50  frame p99  frame max  ×baseline p99  long tasks  lag p50  lag p99  lag max  behind at end",
);
let baseline: Round | undefined;
for (const rate of rates) {
  const r = await round(rate);
  if (rate === 0 || !baseline) baseline ??= r;
  console.log(
    [
      String(r.rate).padStart(9),
      String(r.frames).padStart(7),
      `${f(r.frameP50)} ms`.padStart(10),
      `${f(r.frameP99)} ms`.padStart(10),
      `${f(r.frameMax)} ms`.padStart(10),
      `${(r.frameP99 / baseline.frameP99).toFixed(2)}×`.padStart(14),
      String(r.longTasks).padStart(11),
      `${f(r.lagP50)} ms`.padStart(8),
      `${f(r.lagP99)} ms`.padStart(8),
      `${f(r.lagMax)} ms`.padStart(8),
      String(r.behindAtEnd).padStart(14),
    ].join(" "),
  );
}
