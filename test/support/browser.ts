import { chromium, type Browser, type Page } from 'playwright-core';

/*
 * Headless Chromium (Debian's, installed by .ci/run) driven by playwright-core,
 * for the pages Baedal serves to people: the playground and the queue
 * dashboard. Every request a page makes is recorded, so a test can show
 * that nothing leaves the machine.
 */

const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export const launchBrowser = (): Promise<Browser> =>
  chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: FLAGS });

/** A new page and the URLs of every request it makes that is not to 127.0.0.1 (or data:/blob:). */
export async function watchedPage(browser: Browser): Promise<{ page: Page; outside: string[] }> {
  const page = await browser.newPage();
  const outside: string[] = [];
  page.on('request', (request) => {
    const url = new URL(request.url());
    // What the page makes itself (data:, blob:) stays in the browser; everything else must go to 127.0.0.1.
    if (url.protocol !== 'data:' && url.protocol !== 'blob:' && url.hostname !== '127.0.0.1')
      outside.push(request.url());
  });
  return { page, outside };
}
