import type { Browser } from 'playwright-core';
import { launchBrowser, watchedPage } from '../support/browser';
import type { TestPlatform } from '../support/stack';

/*
 * What developers and operators open in a browser, in headless Chromium:
 * the playground, served whole by the gateway (nothing from outside), with
 * the README's samples and one-click demo sign-in in development.
 */

export function operatorsSuite(platform: () => TestPlatform): void {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  }, 30_000);
  afterAll(() => browser?.close());

  describe('the playground', () => {
    const SHOP_LIST = '{ shops(area: GANGNAM, first: 3) { edges { node { name } } } }';

    it('loads from the gateway alone, runs a shop list and opens the docs for Shop', async () => {
      const { page, outside } = await watchedPage(browser);
      await page.goto(`${platform().gatewayUrl}?query=${encodeURIComponent(SHOP_LIST)}`);
      await page.locator('.graphiql-execute-button').click({ timeout: 30_000 });
      const response = page.locator('.graphiql-response');
      await response.getByText('"edges"').waitFor({ timeout: 10_000 });
      expect(await response.innerText()).toMatch(/"name":\s+"[^"]+"/);

      await page.getByRole('button', { name: 'Show Documentation Explorer' }).click();
      await page.locator('.graphiql-doc-explorer-search input').fill('Shop');
      await page.getByRole('option', { name: 'Shop', exact: true }).click();
      await expect(page.locator('.graphiql-doc-explorer-title').innerText()).resolves.toBe('Shop');
      await expect(page.locator('.graphiql-doc-explorer').innerText()).resolves.toMatch(/deliveryFee/);
      await page.close();
      expect(outside).toEqual([]);
    }, 60_000);

    it("opens with the README's samples, each a tab", async () => {
      const { page } = await watchedPage(browser);
      await page.goto(platform().gatewayUrl);
      const tabs = page.locator('.graphiql-tab');
      await tabs.first().waitFor({ timeout: 30_000 });
      expect(await tabs.allInnerTexts()).toEqual(expect.arrayContaining(['Home', 'MyShops', 'SignUp']));
      await page.close();
    }, 60_000);

    it('signs in as a demo owner in one click, and runs as that owner', async () => {
      const { page, outside } = await watchedPage(browser);
      await page.goto(`${platform().gatewayUrl}?query=${encodeURIComponent('{ myShops { name } }')}`);
      await page.getByRole('button', { name: 'Show Demo sign-in' }).click({ timeout: 30_000 });
      await page.getByRole('button', { name: /owner1@baedal\.dev/ }).click();
      await page
        .getByRole('status')
        .getByText(/Signed in as owner1/)
        .waitFor({ timeout: 10_000 });
      await page.locator('.graphiql-execute-button').click();
      const response = page.locator('.graphiql-response');
      await response.getByText('"myShops"').waitFor({ timeout: 10_000 });
      expect(await response.innerText()).not.toMatch(/"errors"/);
      await page.close();
      expect(outside).toEqual([]);
    }, 60_000);
  });
}
