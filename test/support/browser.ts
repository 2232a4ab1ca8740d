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
    if (
      (url.protocol === 'http:' || url.protocol === 'https:' || url.protocol.startsWith('ws')) &&
      url.hostname !== '127.0.0.1'
    )
      outside.push(request.url());
    else if (!['http:', 'https:', 'data:', 'blob:', 'ws:', 'wss:'].includes(url.protocol)) outside.push(request.url());
  });
  return { page, outside };
}
