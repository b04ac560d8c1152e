// Which masterclasses a tenant takes registrations for: its catalogue entries that have not started yet
// (what the storefront form offers), read through the masterclasses plugin's public service (plugins never
// import each other) and cached per tenant in core's expiring cache, so a registration costs no read. The
// cache is dropped by that service's events in this process; other processes' changes are seen within
// `ttlMs` plus one read: an expired catalogue is answered at once while one read refreshes it (with many
// tenants some expire every moment, and their registrations would otherwise wait on that read: the slowest
// percentile of the endpoint), and expiries are spread (ttlJitter) so catalogues loaded together are not
// refreshed in one burst. An id missing from a catalogue older than `missRefreshMs` reloads it (a masterclass
// created elsewhere a moment ago is taken, while a flood of unknown ids costs at most one read per tenant
// per `missRefreshMs`).
import {
  type Application,
  createExpiringCache,
  ErrorCode,
  type ExpiringCache,
  NOT_CACHED,
  runAsSystem
} from '@masterstage/core'

/** The masterclasses plugin's service (contract: MASTERCLASSES_PATH), named here without importing it. */
export const CATALOGUE_SERVICE_PATH = 'masterclasses/masterclasses'
/** The service's page cap (its query schema's maxLimit): larger catalogues are read in pages. */
const PAGE = 100
/** Catalogues kept; a tenant beyond it is read again on its next registration. */
const MAX_TENANTS = 10_000
/** Expiries spread over the last fifth of the TTL (expiring-cache.ts's ttlJitter). */
const TTL_JITTER = 0.2

export type CatalogueVerdict = 'open' | 'closed'

export interface MasterclassCatalogueOptions {
  app: Application
  ttlMs?: number
  /** How long after its expiry a catalogue is still answered while it is read again (default: ttlMs). */
  serveStaleForMs?: number
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
  readonly #cache: ExpiringCache<TenantCatalogue>
  #listening = false

  constructor(options: MasterclassCatalogueOptions) {
    this.#app = options.app
    this.#ttlMs = options.ttlMs ?? 15_000
    this.#missRefreshMs = options.missRefreshMs ?? 1_000
    this.#now = options.now ?? Date.now
    this.#cache = createExpiringCache<TenantCatalogue>({
      maxEntries: MAX_TENANTS,
      serveStaleForMs: options.serveStaleForMs ?? this.#ttlMs,
      ttlJitter: TTL_JITTER,
      now: this.#now
    })
  }

  /** 'open' when the id is in the tenant's catalogue and has not started; a cached answer is synchronous. */
  check(tenantId: string, masterclassId: string): CatalogueVerdict | Promise<CatalogueVerdict> {
    const cached = this.#cache.peek(tenantId)
    if (cached !== NOT_CACHED) {
      const startsAt = cached.startsAt.get(masterclassId)
      if (startsAt !== undefined) return startsAt > this.#now() ? 'open' : 'closed'
      if (this.#now() - cached.loadedAt < this.#missRefreshMs) return 'closed'
      // Not in a catalogue older than missRefreshMs: maybe created elsewhere since; one read finds out.
      return this.#cache
        .refresh(tenantId, this.#loader(tenantId), this.#ttl)
        .then(this.#verdict(masterclassId))
    }
    // Expired (answered from the stale catalogue while one read refreshes it) or never read (waits for it).
    return this.#cache.get(tenantId, this.#loader(tenantId), this.#ttl).then(this.#verdict(masterclassId))
  }

  /** Forgets a tenant's catalogue (all of them without a tenant): the next check reads it again. */
  invalidate(tenantId?: string): void {
    this.#cache.invalidate(tenantId ?? '*')
  }

  readonly #ttl = () => this.#ttlMs

  #verdict(masterclassId: string) {
    return (catalogue: TenantCatalogue): CatalogueVerdict => {
      const startsAt = catalogue.startsAt.get(masterclassId)
      return startsAt !== undefined && startsAt > this.#now() ? 'open' : 'closed'
    }
  }

  #loader(tenantId: string) {
    return async (): Promise<TenantCatalogue> => {
      const loadedAt = this.#now()
      return { startsAt: await this.#read(tenantId, loadedAt), loadedAt }
    }
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
