// Test support: a visitor registering through the landing page's pipeline registration form (with or
// without JavaScript), up to the confirmation page it leads to.
import type { Page } from 'playwright-core'

export async function registerOnLandingPage(
  page: Page,
  visitor: { name: string; email: string },
  masterclassId: string
): Promise<void> {
  const form = page.getByTestId('registration-form')
  await form.getByLabel('Name').fill(visitor.name)
  await form.getByLabel('Email').fill(visitor.email)
  await form.getByRole('combobox', { name: 'Masterclass' }).selectOption(masterclassId)
  await form.getByLabel('I agree to be contacted').check()
  await form.getByRole('button', { name: 'Register' }).click()
  await page.waitForURL(`**/registered?masterclass=${masterclassId}`)
}
