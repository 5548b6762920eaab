/// <reference lib="dom" />
/**
 * Chromium for the browser tests: Debian's package at /usr/bin/chromium (CHROMIUM_PATH overrides; .ci/run installs
 * it), driven by playwright-core. Screenshots go to test-output/screenshots/ (git-ignored); a current pair is kept in
 * docs/screenshots/ by hand.
 */
import { mkdirSync } from 'fs';
import * as path from 'path';
import { chromium, type Browser, type Page } from 'playwright-core';

export const SCREENSHOT_DIR = path.join(__dirname, '../../../test-output/screenshots');

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: false });
  return file;
}

/** Waits until the element matching `selector` contains `text` (textContent), or fails naming both. */
export async function waitForText(page: Page, selector: string, text: string, timeout = 10_000): Promise<void> {
  try {
    await page.waitForFunction(
      ([css, wanted]) =>
        Array.from(document.querySelectorAll(css)).some((element) => element.textContent?.includes(wanted)),
      [selector, text] as const,
      { timeout, polling: 50 },
    );
  } catch {
    const seen = await page.$$eval(selector, (elements) => elements.map((element) => element.textContent).join(' | '));
    throw new Error(`"${text}" never appeared in ${selector}; it held: ${seen.slice(0, 500) || '(nothing)'}`);
  }
}

/** Requests the page made to anything but its own server: there must be none. */
export function foreignRequests(page: Page, origin: string): string[] {
  const foreign: string[] = [];
  page.on('request', (request) => {
    if (!request.url().startsWith(origin) && !request.url().startsWith('data:')) foreign.push(request.url());
  });
  return foreign;
}

/**
 * Starts measuring in the page: long tasks (the main thread busy over 50 ms), the longest gap between animation frames,
 * and the layout shift score (Chromium's layout-shift entries, those without recent input).
 */
export function startMeasuring(page: Page): Promise<void> {
  return page.evaluate(() => {
    const perf = {
      longTaskMs: 0,
      longTasks: 0,
      maxFrameGapMs: 0,
      frames: 0,
      layoutShift: 0,
      startedAt: performance.now(),
      stop: false,
    };
    (window as any).__perf = perf;
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) {
        perf.longTasks += 1;
        perf.longTaskMs += entry.duration;
      }
    }).observe({ type: 'longtask' });
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries() as any[]) if (!entry.hadRecentInput) perf.layoutShift += entry.value;
    }).observe({ type: 'layout-shift' });
    let last = performance.now();
    const frame = (now: number) => {
      perf.maxFrameGapMs = Math.max(perf.maxFrameGapMs, now - last);
      last = now;
      perf.frames += 1;
      if (!perf.stop) requestAnimationFrame(frame);
    };
    requestAnimationFrame(frame);
  });
}

export interface Measured {
  readonly windowMs: number;
  readonly longTaskMs: number;
  readonly longTasks: number;
  readonly maxFrameGapMs: number;
  readonly frames: number;
  readonly layoutShift: number;
}

export function stopMeasuring(page: Page): Promise<Measured> {
  return page.evaluate(() => {
    const perf = (window as any).__perf;
    perf.stop = true;
    const { longTaskMs, longTasks, maxFrameGapMs, frames, layoutShift } = perf;
    return { windowMs: performance.now() - perf.startedAt, longTaskMs, longTasks, maxFrameGapMs, frames, layoutShift };
  });
}
