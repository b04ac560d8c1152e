// Upserts loaded packs through core's agencies, tenants and users services (internal calls), keyed by slug
// and email, so applying the same packs again changes nothing and creates no duplicates.
import { join, relative } from 'node:path'
import type { LoadedPacks } from './load-packs.ts'
import { agencyRecord, enabledPlugins, tenantRecord } from './pack-records.ts'
import type { PackProblem } from './pack-validator.ts'

type Page = { data: any[] } | any[]
interface CrudService {
  find(params?: any): Promise<Page>
  create(data: any, params?: any): Promise<any>
  patch(id: string, data: any, params?: any): Promise<any>
}

/** The services apply needs; `app.service('agencies')` etc. of core satisfy it. */
export interface ApplyTarget {
  agencies: CrudService
  tenants: CrudService & {
    enablePlugin(data: any, params?: any): Promise<any>
    disablePlugin(data: any, params?: any): Promise<any>
  }
  users: CrudService & { createStaff(data: any, params?: any): Promise<any> }
}

export interface ApplySummary {
  agencies: { created: number; updated: number }
  tenants: { created: number; updated: number }
  plugins: { enabled: number; disabled: number }
  users: { created: number; existing: number }
}

/** A service refused part of a pack: carries the pack file and the service's field errors. */
export class PackApplyError extends Error {
  readonly problems: readonly PackProblem[]
  constructor(problems: readonly PackProblem[], cause: unknown) {
    super(
      `Applying tenant packs failed:\n${problems.map((p) => `  ${p.file}${p.field ? ` → ${p.field}` : ''}: ${p.message}`).join('\n')}`,
      { cause }
    )
    this.name = 'PackApplyError'
    this.problems = problems
  }
}

const rows = (page: Page) => (Array.isArray(page) ? page : page.data)

async function guarded<T>(file: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work()
  } catch (error) {
    const failure = error as {
      message: string
      errors?: { path: string; message: string }[]
      data?: { errors?: { path: string; message: string }[]; field?: string }
    }
    const { data, message } = failure
    // Feathers errors move `data.errors` to `error.errors`.
    const fieldErrors = Array.isArray(failure.errors) ? failure.errors : data?.errors
    const problems: PackProblem[] = fieldErrors?.length
      ? fieldErrors.map((e) => ({ file, field: e.path, message: `${e.message} (${message})` }))
      : [{ file, field: data?.field ?? '', message }]
    throw new PackApplyError(problems, error)
  }
}

export async function applyPacks(
  packs: LoadedPacks,
  target: ApplyTarget,
  options: { packsRoot: string; progress?: (message: string) => void }
): Promise<ApplySummary> {
  const progress = options.progress ?? (() => {})
  const fileOf = (path: string) => relative(join(options.packsRoot, '..'), path)
  const summary: ApplySummary = {
    agencies: { created: 0, updated: 0 },
    tenants: { created: 0, updated: 0 },
    plugins: { enabled: 0, disabled: 0 },
    users: { created: 0, existing: 0 }
  }
  const agencyIds = new Map<string, string>()
  const tenantIds = new Map<string, string>()

  for (const agency of packs.agencies) {
    const file = fileOf(join(agency.dir, 'agency.json'))
    const record = agencyRecord(agency.pack)
    const existing = rows(await target.agencies.find({ query: { slug: record.slug } }))[0]
    const saved = await guarded(file, () =>
      existing
        ? target.agencies.patch(String(existing._id), { name: record.name })
        : target.agencies.create(record)
    )
    agencyIds.set(record.slug, String(saved._id))
    summary.agencies[existing ? 'updated' : 'created']++
    progress(`agency ${record.slug}: ${existing ? 'updated' : 'created'}`)

    for (const tenant of agency.tenants) {
      const tenantFile = fileOf(join(tenant.dir, 'tenant.json'))
      const { slug, ...changes } = tenantRecord(tenant)
      const current = rows(await target.tenants.find({ query: { slug } }))[0]
      if (current && current.agencyId !== String(saved._id)) {
        throw new PackApplyError(
          [{ file: tenantFile, field: 'slug', message: `"${slug}" already belongs to another agency` }],
          undefined
        )
      }
      const tenantDoc = await guarded(tenantFile, () =>
        current
          ? target.tenants.patch(String(current._id), changes)
          : target.tenants.create({ slug, agencyId: String(saved._id), ...changes })
      )
      const tenantId = String(tenantDoc._id)
      tenantIds.set(slug, tenantId)
      summary.tenants[current ? 'updated' : 'created']++
      progress(`  tenant ${slug}: ${current ? 'updated' : 'created'}`)

      for (const { plugin, settings } of enabledPlugins(tenant)) {
        await guarded(tenantFile, () => target.tenants.enablePlugin({ tenantId, plugin, settings }))
        summary.plugins.enabled++
        progress(`    plugin ${plugin}: enabled`)
      }
      const disabled = Object.entries(tenant.pack.plugins).filter(([, entry]) => !entry.enabled)
      for (const [plugin] of disabled) {
        await guarded(tenantFile, () => target.tenants.disablePlugin({ tenantId, plugin }))
        summary.plugins.disabled++
        progress(`    plugin ${plugin}: disabled`)
      }
    }
  }

  const usersFile = 'demo/users.json'
  for (const [index, user] of packs.users.entries()) {
    const ids = (user.tenants ?? []).map((slug) => tenantIds.get(slug)!)
    const sameEmail = rows(await target.users.find({ query: { email: user.email, role: user.role } }))
    // Attendees are accounts per tenant; staff have one account across tenants.
    const existing = sameEmail.find(
      (u) => user.role !== 'attendee' || ids.every((id) => u.tenantIds?.includes(id))
    )
    if (existing) {
      summary.users.existing++
      progress(`user ${user.email} (${user.role}): exists`)
      continue
    }
    await guarded(`${usersFile} → users.${index}`, () =>
      target.users.createStaff({
        email: user.email,
        name: user.name,
        role: user.role,
        password: user.password,
        ...(user.agency && { agencyId: agencyIds.get(user.agency) }),
        ...(ids.length > 0 && { tenantIds: ids })
      })
    )
    summary.users.created++
    progress(`user ${user.email} (${user.role}): created`)
  }
  return summary
}
