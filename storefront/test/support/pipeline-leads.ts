// Test support: the pipeline leads a tenant holds with one email, read through the API as its staff, to
// check what a storefront form stored (or did not).
import { expect } from 'vitest'

export interface StoredLead {
  email: string
  name: string
  masterclassId: string
  source?: { utmSource?: string; utmMedium?: string; utmCampaign?: string; referrer?: string }
}

export async function leadsWithEmail(
  api: { url: string },
  staffToken: string,
  tenantId: string,
  email: string
): Promise<StoredLead[]> {
  const response = await fetch(`${api.url}/pipeline/leads?$limit=100`, {
    headers: { authorization: `Bearer ${staffToken}`, 'x-tenant': tenantId }
  })
  expect(response.status).toBe(200)
  const page = (await response.json()) as { data: StoredLead[] }
  return page.data.filter((lead) => lead.email === email)
}
