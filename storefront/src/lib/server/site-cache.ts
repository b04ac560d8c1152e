// Tenants' public profiles (the one `site` call) and the API answers of their landing sections' loads for
// anonymous visitors, kept for a short burst (SITE_CACHE_MS) so a popular landing page renders without an
// API round trip, in core's bounded expiring cache (concurrent misses share one load; failures are not
// kept). Unknown hosts are cached too, briefly, against host-header floods. Tenant changes clear both at once
// (tenant-invalidations.ts); other data (a new masterclass) shows up within the TTL.
import { createExpiringCache } from '@masterstage/core/app/expiring-cache.ts'
import {
  createRestClient,
  type MasterstageClient,
  toApiError,
  type UiLoadContext
} from '@masterstage/core/client'
import type { PublicSite } from '@masterstage/core/web-api/site-service.ts'
import { withoutUtmParams } from './attribution/touch.ts'
import { settings } from './settings.ts'

const MAX_ENTRIES = 1_000
const sites = createExpiringCache<PublicSite | null>({ maxEntries: MAX_ENTRIES })
const sectionReplies = createExpiringCache<Reply[]>({ maxEntries: MAX_ENTRIES })
const burst = () => settings.siteCacheMs

export function siteFor(reference: string, requestId: string): Promise<PublicSite | null> {
  const load = async () => {
    const client = createRestClient({ apiUrl: settings.apiUrl, tenant: reference, requestId })
    try {
      return (await client.service('site').find()) as PublicSite
    } catch (error) {
      if (toApiError(error).status !== 404) throw error
      return null
    }
  }
  return sites.get(reference, load, burst)
}

/**
 * A landing section's data for visitors who are not signed in. What it asks the API depends only on the
 * tenant (its revision included, so an edit is never mixed with older data) and the URL without its utm_*
 * parameters, never on who asks or what brought them: those answers are cached in one entry that every
 * campaign and referrer shares. The section's load then runs for this visit with its own URL and
 * attribution on the cached answers, so what it derives from them (a form's hidden source fields) is this
 * visitor's.
 * A load's API calls must therefore not depend on the attribution or utm_* values; one that asks
 * differently from the recorded run gets live answers from that call on.
 */
export async function anonymousSectionData(
  site: PublicSite,
  section: { plugin: string; id: string },
  context: UiLoadContext,
  load: (context: UiLoadContext) => Promise<unknown>
): Promise<unknown> {
  const { attribution: _visitorsOwn, ...shared } = context
  const url = withoutUtmParams(context.url)
  const replies = await sectionReplies.get(
    `${site.id}:${site.revision}:${section.plugin}:${section.id}:${url.search}`,
    async () => {
      const recorded: Reply[] = []
      await load({ ...shared, url, client: recordingClient(context.client, recorded) })
      return recorded
    },
    burst
  )
  return load({ ...context, client: replayingClient(context.client, replies) })
}

/** One service call of a recorded load and how it ended (`settled` false while still pending). */
interface Reply {
  path: string
  method: string
  settled: boolean
  failed: boolean
  value: unknown
}

/** `client` whose service calls go through `call` (`live` makes the real one); the rest is the client's own. */
function interceptedClient(
  client: MasterstageClient,
  call: (path: string, method: string, live: () => Promise<unknown>) => Promise<unknown>
): MasterstageClient {
  return new Proxy(client, {
    get(target, property, receiver) {
      if (property !== 'service') return Reflect.get(target, property, receiver)
      return (path: string) => {
        const service = target.service(path as never) as unknown as Record<string | symbol, unknown>
        return new Proxy(service, {
          get(real, method) {
            const member = real[method]
            if (typeof method !== 'string' || typeof member !== 'function') return member
            return (...args: unknown[]) => call(path, method, () => member.apply(real, args))
          }
        })
      }
    }
  })
}

/** Makes every service call and writes its outcome to `replies`, in call order. */
function recordingClient(client: MasterstageClient, replies: Reply[]): MasterstageClient {
  return interceptedClient(client, (path, method, live) => {
    const reply: Reply = { path, method, settled: false, failed: false, value: undefined }
    replies.push(reply)
    return live().then(
      (value) => {
        // A copy, taken before the recording load can change what it got.
        Object.assign(reply, { settled: true, value: structuredClone(value) })
        return value
      },
      (error) => {
        Object.assign(reply, { settled: true, failed: true, value: error })
        throw error
      }
    )
  })
}

/**
 * Answers service calls from `replies` in order (copies: a load may change what it gets). From the first
 * call that differs from the recording (another service or method), every call is made for real.
 */
function replayingClient(client: MasterstageClient, replies: readonly Reply[]): MasterstageClient {
  let next = 0
  return interceptedClient(client, (path, method, live) => {
    const reply = replies[next]
    if (!reply?.settled || reply.path !== path || reply.method !== method) {
      next = Number.POSITIVE_INFINITY
      return live()
    }
    next++
    return reply.failed ? Promise.reject(reply.value) : Promise.resolve(structuredClone(reply.value))
  })
}

/** Drops everything cached: called when any tenant changed. */
export function invalidateSites(): void {
  sites.invalidate('*')
  sectionReplies.invalidate('*')
}
