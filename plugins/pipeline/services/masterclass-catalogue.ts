// Which masterclasses a tenant takes registrations for: its catalogue entries that have not started yet
// (what the storefront form offers), read through the masterclasses plugin's public service (plugins never
// import each other) and cached per tenant, so a registration costs no read. The cache is dropped by that
// service's events in this process; other processes' changes are seen after at most `ttlMs`, and an id
// missing from a cache older than `missRefreshMs` reloads it (a masterclass created elsewhere a moment ago
// is taken, while a flood of unknown ids costs at most one read per tenant per `missRefreshMs`).
import { type Application, ErrorCode, runAsSystem } from '@masterstage/core'

/** The masterclasses plugin's service (contract: MASTERCLASSES_PATH), named here without importing it. */
export const CATALOGUE_SERVICE_PATH = 'masterclasses/masterclasses'
/** The service's page cap (its query schema's maxLimit): larger catalogues are read in pages. */
const PAGE = 100

export type CatalogueVerdict = 'open' | 'closed'

export interface MasterclassCatalogueOptions {
  app: Application
  ttlMs?: number
  missRefreshMs?: number
  now?: () => number
}

interface TenantCatalogue {
  /** Upcoming masterclasses by id: start time (ms), so one that started since the load is closed. */
  startsAt: Map<string, number>
  loadedAt: number
}

export class MasterclassCatalogue {
  readonly #app: Application
  readonly #ttlMs: number
  readonly #missRefreshMs: number
  readonly #now: () => number
  readonly #byTenant = new Map<string, TenantCatalogue>()
  readonly #loading = new Map<string, Promise<TenantCatalogue>>()
  /** Bumped per tenant by a change: a load that started before it must not be cached. */
  readonly #generation = new Map<string, number>()
  #listening = false

  constructor(options: MasterclassCatalogueOptions) {
    this.#app = options.app
    this.#ttlMs = options.ttlMs ?? 15_000
    this.#missRefreshMs = options.missRefreshMs ?? 1_000
    this.#now = options.now ?? Date.now
  }

  /** 'open' when the id is in the tenant's catalogue and has not started; a cached answer is synchronous. */
  check(tenantId: string, masterclassId: string): CatalogueVerdict | Promise<CatalogueVerdict> {
    const now = this.#now()
    const cached = this.#byTenant.get(tenantId)
    if (cached && now - cached.loadedAt < this.#ttlMs) {
      const startsAt = cached.startsAt.get(masterclassId)
      if (startsAt !== undefined) return startsAt > now ? 'open' : 'closed'
      if (now - cached.loadedAt < this.#missRefreshMs) return 'closed'
    }
    return this.#load(tenantId).then((loaded) => {
      const startsAt = loaded.startsAt.get(masterclassId)
      return startsAt !== undefined && startsAt > this.#now() ? 'open' : 'closed'
    })
  }

  /** Forgets a tenant's catalogue (all of them without a tenant): the next check reads it again. */
  invalidate(tenantId?: string): void {
    if (tenantId === undefined) {
      for (const id of new Set([...this.#byTenant.keys(), ...this.#loading.keys()])) this.invalidate(id)
      return
    }
    this.#byTenant.delete(tenantId)
    this.#loading.delete(tenantId)
    this.#generation.set(tenantId, (this.#generation.get(tenantId) ?? 0) + 1)
  }

  #load(tenantId: string): Promise<TenantCatalogue> {
    // Concurrent misses of one tenant share one read.
    let loading = this.#loading.get(tenantId)
    if (loading) return loading
    const generation = this.#generation.get(tenantId) ?? 0
    const loadedAt = this.#now()
    loading = this.#read(tenantId, loadedAt).then(
      (startsAt) => {
        const loaded = { startsAt, loadedAt }
        if ((this.#generation.get(tenantId) ?? 0) === generation) {
          this.#byTenant.set(tenantId, loaded)
          this.#loading.delete(tenantId)
        }
        return loaded
      },
      (error) => {
        if (this.#loading.get(tenantId) === loading) this.#loading.delete(tenantId)
        throw error
      }
    )
    this.#loading.set(tenantId, loading)
    return loading
  }

  async #read(tenantId: string, now: number): Promise<Map<string, number>> {
    const startsAt = new Map<string, number>()
    const service = this.#service()
    // Not installed: there is no catalogue, so nothing is open for registration.
    if (!service) return startsAt
    // As the platform in the tenant's scope: the cache serves every caller of the tenant alike.
    await runAsSystem('pipeline.catalogue', tenantId, async () => {
      for (let skip = 0; ; skip += PAGE) {
        let page: { _id: unknown; startTime: unknown }[]
        try {
          page = await service.find({
            query: {
              startTime: { $gt: new Date(now) },
              $select: ['_id', 'startTime'],
              $sort: { startTime: 1, _id: 1 },
              $limit: PAGE,
              $skip: skip
            },
            paginate: false
          })
        } catch (error) {
          // The tenant has not enabled the masterclasses plugin: an empty catalogue, not a failure.
          if ((error as { data?: { code?: string } }).data?.code === ErrorCode.PLUGIN_DISABLED) return
          throw error
        }
        for (const entry of page)
          startsAt.set(String(entry._id), new Date(entry.startTime as string).getTime())
        if (page.length < PAGE) return
      }
    })
    return startsAt
  }

  #service(): { find(params: unknown): Promise<any[]> } | undefined {
    const services = (this.#app as unknown as { services: Record<string, unknown> }).services
    if (!Object.hasOwn(services, CATALOGUE_SERVICE_PATH)) return undefined
    const service = this.#app.service(CATALOGUE_SERVICE_PATH as any) as any
    if (!this.#listening) {
      this.#listening = true
      // A change drops the tenant's cached catalogue (the next registration reads it again).
      const drop = (entry: { tenantId?: unknown } | undefined) =>
        this.invalidate(entry?.tenantId ? String(entry.tenantId) : undefined)
      for (const event of ['created', 'updated', 'patched', 'removed']) service.on(event, drop)
    }
    return service
  }
}
