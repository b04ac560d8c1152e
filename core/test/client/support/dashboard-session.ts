// Test support: signs a staff member in through the dashboard's own sign-in page, as a person would.
import type { Page } from 'playwright-core'

export async function signInToDashboard(
  page: Page,
  dashboardUrl: string,
  user: { email: string; password: string }
): Promise<void> {
  // Wait for hydration: typing into a form the client is still hydrating can be wiped.
  await page.goto(`${dashboardUrl}/signin`, { waitUntil: 'networkidle' })
  await page.getByLabel('Email').fill(user.email)
  await page.getByLabel('Password').fill(user.password)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.waitForURL(`${dashboardUrl}/`)
}
