// Test support for the pipeline board's browser tests: a storefront-style registration through the API and
// a board opened live in the built dashboard as a given staff member.
import type { Page } from 'playwright-core'
import { expect } from 'vitest'
import { signInToDashboard } from '../../../../core/test/client/support/dashboard-session.ts'

export interface BoardLead {
  name: string
  email: string
  masterclassId: string
}

/** Registers a lead in the tenant (slug or id) as the public registration form does; expects 201. */
export async function registerLead(apiUrl: string, tenant: string, lead: BoardLead): Promise<void> {
  const registered = await fetch(`${apiUrl}/pipeline/registrations`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-tenant': tenant },
    body: JSON.stringify({ ...lead, consent: true })
  })
  expect(registered.status, await registered.clone().text()).toBe(201)
}

/** Signs `user` in, opens the board (`query` e.g. `?scope=agency`) and waits for its live socket. */
export async function openLiveBoard(
  page: Page,
  dashboardUrl: string,
  user: { email: string; password: string },
  query = ''
): Promise<void> {
  await signInToDashboard(page, dashboardUrl, user)
  await page.goto(`${dashboardUrl}/p/pipeline${query}`, { waitUntil: 'networkidle' })
  await expect.poll(() => page.getByTestId('live-status').textContent(), { timeout: 15_000 }).toBe('Live')
}
