// Test support: Debian's Chromium through playwright-core (no browser download), and a wrapper that saves
// a screenshot of the page under test-artifacts/ when a browser test fails.
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { type Browser, type BrowserContextOptions, chromium, type Page } from 'playwright-core'
import { REPO_ROOT } from './web-apps.ts'

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking']
  })
}

/**
 * Runs `steps` on a fresh page; on failure saves `test-artifacts/screenshots/<name>.png` and rethrows.
 * `options` configure the browser context (e.g. `javaScriptEnabled: false`, `acceptDownloads`).
 */
export async function onPage(
  browser: Browser,
  name: string,
  steps: (page: Page) => Promise<void>,
  options: BrowserContextOptions = {}
): Promise<void> {
  const context = await browser.newContext(options)
  // Shorter than the test timeout, so a stuck step fails here, with a screenshot, and says which step.
  context.setDefaultTimeout(10_000)
  const page = await context.newPage()
  try {
    await steps(page)
  } catch (error) {
    const dir = join(REPO_ROOT, 'test-artifacts', 'screenshots')
    mkdirSync(dir, { recursive: true })
    await page
      .screenshot({ path: join(dir, `${name.replace(/[^\w-]+/g, '-')}.png`), fullPage: true })
      .catch(() => undefined)
    throw error
  } finally {
    await context.close()
  }
}
