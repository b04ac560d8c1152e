// Who hears about a tenant's payment problems (disputes, amount mismatches, duplicate charges): the
// configured staff or billing address, else the tenant's hosts, else the tenant's legal email. Nobody
// configuring an address must not mean nobody is told.
import type { PaymentsRuntime } from '../runtime.ts'

interface UsersFind {
  find(params: unknown): Promise<{ data: { email: string }[] } | { email: string }[]>
}

export async function staffRecipients(runtime: PaymentsRuntime, tenantId: string): Promise<string[]> {
  const settings = await runtime.settings(tenantId)
  const configured = settings.staffEmail ?? settings.billingEmail
  if (configured) return [configured]
  const hosts = await hostEmails(runtime, tenantId)
  if (hosts.length > 0) return hosts
  const tenant = await ((runtime.ctx.app as any).get('tenantDirectory') as any)?.byId(tenantId)
  const legalEmail: unknown = tenant?.legal?.email
  return typeof legalEmail === 'string' && legalEmail ? [legalEmail] : []
}

/** Hosts of the tenant through core's users service (internal call: the platform acts). */
async function hostEmails(runtime: PaymentsRuntime, tenantId: string): Promise<string[]> {
  const users = (runtime.ctx.app as any).services?.users
    ? ((runtime.ctx.app as any).service('users') as UsersFind)
    : null
  if (!users) return []
  const found = await users.find({ query: { role: 'host', $limit: 20 }, tenant: { id: tenantId } })
  const list = Array.isArray(found) ? found : found.data
  return [...new Set(list.map((user) => user.email).filter(Boolean))]
}
