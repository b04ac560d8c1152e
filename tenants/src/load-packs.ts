// Reads every brand pack under a packs root (agency folders holding tenant folders) and the demo users,
// validates them all, and reports every problem at once.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { basename, dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { TObject } from '@feathersjs/typebox'
import {
  type AgencyPack,
  AgencyPackSchema,
  type DemoUser,
  DemoUsersSchema,
  type TenantPack,
  TenantPackSchema
} from './pack-schema.ts'
import { type PackProblem, PackValidationError, validatePackFile } from './pack-validator.ts'

export const DEFAULT_PACKS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'packs')
export const DEFAULT_DEMO_USERS_FILE = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  'demo',
  'users.json'
)

export interface LoadedTenant {
  pack: TenantPack
  /** Absolute folder of the tenant pack. */
  dir: string
  /** Logo file contents (SVG markup). */
  logoSvg: string
}

export interface LoadedAgency {
  pack: AgencyPack
  dir: string
  tenants: LoadedTenant[]
}

export interface LoadedPacks {
  agencies: LoadedAgency[]
  users: DemoUser[]
}

export interface LoadPacksOptions {
  packsDir?: string
  /** Demo users file; `null` skips users (production packs carry no passwords). */
  usersFile?: string | null
}

export function loadPacks(options: LoadPacksOptions = {}): LoadedPacks {
  const packsDir = options.packsDir ?? DEFAULT_PACKS_DIR
  const usersFile = options.usersFile === undefined ? DEFAULT_DEMO_USERS_FILE : options.usersFile
  const problems: PackProblem[] = []
  const rel = (path: string) => relative(dirname(packsDir), path)

  if (!existsSync(packsDir))
    throw new PackValidationError([{ file: packsDir, field: '', message: 'folder not found' }])
  const agencies: LoadedAgency[] = []
  for (const agencyDir of subfolders(packsDir)) {
    const agencyFile = join(agencyDir, 'agency.json')
    const agency = readPackFile<AgencyPack>(agencyFile, AgencyPackSchema, rel(agencyFile), problems)
    if (!agency) continue
    checkFolderMatchesSlug(agencyDir, agency.slug, rel(agencyFile), problems)
    const tenants: LoadedTenant[] = []
    for (const tenantDir of subfolders(agencyDir)) {
      const tenantFile = join(tenantDir, 'tenant.json')
      const tenant = readPackFile<TenantPack>(tenantFile, TenantPackSchema, rel(tenantFile), problems)
      if (!tenant) continue
      checkFolderMatchesSlug(tenantDir, tenant.slug, rel(tenantFile), problems)
      const logoPath = join(tenantDir, tenant.theme.logo)
      if (!existsSync(logoPath)) {
        problems.push({
          file: rel(tenantFile),
          field: 'theme.logo',
          message: `file ${tenant.theme.logo} not found`
        })
        continue
      }
      const logoSvg = readFileSync(logoPath, 'utf8')
      if (!/<svg[\s>]/.test(logoSvg)) {
        problems.push({
          file: rel(tenantFile),
          field: 'theme.logo',
          message: `${tenant.theme.logo} is not an SVG`
        })
      }
      tenants.push({ pack: tenant, dir: tenantDir, logoSvg })
    }
    agencies.push({ pack: agency, dir: agencyDir, tenants })
  }
  checkUniqueAcrossPacks(agencies, rel, problems)

  let users: DemoUser[] = []
  if (usersFile) {
    const parsed = readPackFile<{ users: DemoUser[] }>(usersFile, DemoUsersSchema, rel(usersFile), problems)
    if (parsed) {
      users = parsed.users
      checkUsers(users, agencies, rel(usersFile), problems)
    }
  }
  if (problems.length > 0) throw new PackValidationError(problems)
  return { agencies, users }
}

function subfolders(dir: string): string[] {
  return readdirSync(dir)
    .filter((name) => !name.startsWith('.'))
    .map((name) => join(dir, name))
    .filter((path) => statSync(path).isDirectory())
    .sort()
}

function readPackFile<T>(
  path: string,
  schema: TObject,
  file: string,
  problems: PackProblem[]
): T | undefined {
  if (!existsSync(path)) {
    problems.push({ file, field: '', message: 'file not found' })
    return undefined
  }
  let data: unknown
  try {
    data = JSON.parse(readFileSync(path, 'utf8'))
  } catch (error) {
    problems.push({ file, field: '', message: `is not valid JSON (${(error as Error).message})` })
    return undefined
  }
  const found = validatePackFile(schema, data, file)
  problems.push(...found)
  return found.length === 0 ? (data as T) : undefined
}

// One identifier per tenant: the folder name is the slug, so packs cannot drift from what they configure.
function checkFolderMatchesSlug(dir: string, slug: string, file: string, problems: PackProblem[]): void {
  const folder = basename(dir)
  if (folder !== slug) {
    problems.push({ file, field: 'slug', message: `"${slug}" must equal the folder name "${folder}"` })
  }
}

function checkUniqueAcrossPacks(
  agencies: LoadedAgency[],
  rel: (path: string) => string,
  problems: PackProblem[]
): void {
  const tenantSlugs = new Map<string, string>()
  const domains = new Map<string, string>()
  for (const agency of agencies) {
    for (const tenant of agency.tenants) {
      const file = rel(join(tenant.dir, 'tenant.json'))
      const seen = tenantSlugs.get(tenant.pack.slug)
      if (seen)
        problems.push({ file, field: 'slug', message: `"${tenant.pack.slug}" is already used by ${seen}` })
      else tenantSlugs.set(tenant.pack.slug, file)
      tenant.pack.domains.forEach((domain, index) => {
        const owner = domains.get(domain)
        if (owner)
          problems.push({
            file,
            field: `domains.${index}`,
            message: `"${domain}" is already used by ${owner}`
          })
        else domains.set(domain, file)
      })
    }
  }
}

function checkUsers(
  users: DemoUser[],
  agencies: LoadedAgency[],
  file: string,
  problems: PackProblem[]
): void {
  // Folder names, not loaded packs: a tenant with a broken tenant.json must not cascade into user errors.
  const agencyTenants = new Map(
    agencies.map((a) => [a.pack.slug, new Set(subfolders(a.dir).map((dir) => basename(dir)))])
  )
  const emails = new Set<string>()
  users.forEach((user, index) => {
    const at = (field: string) => `users.${index}.${field}`
    if (emails.has(user.email.toLowerCase())) {
      problems.push({ file, field: at('email'), message: `"${user.email}" appears twice` })
    }
    emails.add(user.email.toLowerCase())
    if (user.role === 'platform_admin') {
      if (user.agency || user.tenants?.length) {
        problems.push({ file, field: at('role'), message: 'a platform_admin belongs to no agency or tenant' })
      }
      return
    }
    const tenantsOfAgency = user.agency ? agencyTenants.get(user.agency) : undefined
    if (!user.agency)
      problems.push({ file, field: at('agency'), message: `is required for role ${user.role}` })
    else if (!tenantsOfAgency)
      problems.push({ file, field: at('agency'), message: `unknown agency "${user.agency}"` })
    if (user.role !== 'agency_admin' && !user.tenants?.length) {
      problems.push({ file, field: at('tenants'), message: `role ${user.role} needs at least one tenant` })
    }
    user.tenants?.forEach((slug, tenantIndex) => {
      if (tenantsOfAgency && !tenantsOfAgency.has(slug)) {
        problems.push({
          file,
          field: at(`tenants.${tenantIndex}`),
          message: `"${slug}" is not a tenant of ${user.agency}`
        })
      }
    })
  })
}
