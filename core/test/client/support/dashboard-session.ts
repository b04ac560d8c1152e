// Browser test helper: signs a staff user in through the dashboard's own form, as a person would.
import type { Page } from 'playwright-core'

export interface DashboardUser {
  email: string
  password: string
}

/** Opens /signin, submits the form and waits for the home page (throws if sign-in does not land there). */
export async function signInToDashboard(
  page: Page,
  dashboardUrl: string,
  user: DashboardUser
): Promise<void> {
  // Wait for hydration: typing into a form the client is still hydrating can be wiped.
  await page.goto(`${dashboardUrl}/signin`, { waitUntil: 'networkidle' })
  await page.getByLabel('Email').fill(user.email)
  await page.getByLabel('Password').fill(user.password)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.waitForURL(`${dashboardUrl}/`)
}
