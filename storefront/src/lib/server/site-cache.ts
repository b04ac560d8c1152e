// Tenants' public profiles (the one `site` call) and the API answers of their landing sections' loads for
// anonymous visitors, kept for a short burst (SITE_CACHE_MS) so a popular landing page renders without an
// API round trip, in core's bounded expiring cache (concurrent misses share one load; failures, and loads
// that met one, are not kept). Unknown hosts are cached too, briefly, against host-header floods. Tenant
// changes clear both at once (tenant-invalidations.ts); other data (a new masterclass) shows up within the
// TTL.
import { createExpiringCache } from '@masterstage/core/app/expiring-cache.ts'
import {
  createRestClient,
  type MasterstageClient,
  toApiError,
  type UiLoadContext
} from '@masterstage/core/client'
import type { PublicSite } from '@masterstage/core/web-api/site-service.ts'
import { untaggedUrl } from './attribution/touch.ts'
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
 * tenant (its revision included, so an edit is never mixed with older data) and the URL without the
 * parameters that only tag the visit's source (utm_*, ?ref=, click ids; the others sorted), never on who
 * asks or what brought them: those answers are cached in one entry that every campaign, click and referrer
 * shares. Other parameters each make their own entry, within the cache's 1,000. The section's load then runs
 * for this visit with its own URL and attribution on the cached answers, so what it derives from them (a
 * form's hidden source fields) is this visitor's.
 * A load's API calls should therefore not depend on the attribution or the source tags; one that asks
 * differently from the recorded run (another service, method, id, data or query) gets live answers from
 * that call on. A recording with a failed call is not kept: the failure (a visitor's 429, a passing 5xx)
 * answers the visitor whose load met it, never the next ones.
 */
export async function anonymousSectionData(
  site: PublicSite,
  section: { plugin: string; id: string },
  context: UiLoadContext,
  load: (context: UiLoadContext) => Promise<unknown>
): Promise<unknown> {
  const { attribution: _visitorsOwn, ...shared } = context
  const url = untaggedUrl(context.url)
  let recordedForThisVisit = false
  const replies = await sectionReplies.get(
    `${site.id}:${site.revision}:${section.plugin}:${section.id}:${url.search}`,
    async () => {
      recordedForThisVisit = true
      const recorded: Reply[] = []
      await load({ ...shared, url, client: recordingClient(context.client, recorded) })
      return recorded
    },
    (recorded) => (recorded.some((reply) => reply.failed) ? 0 : burst())
  )
  return load({
    ...context,
    client: replayingClient(context.client, replies, { replayFailures: recordedForThisVisit })
  })
}

/** One service call of a recorded load and how it ended (`settled` false while still pending). */
interface Reply {
  path: string
  method: string
  /** The call's arguments as callArguments gives them; undefined when they have no such form. */
  args: string | undefined
  settled: boolean
  failed: boolean
  value: unknown
}

/** Where a service method takes its params (Feathers custom methods take data, then params). */
const PARAMS_POSITION: Record<string, number> = { find: 0, get: 1, remove: 1, create: 1, update: 2, patch: 2 }

/**
 * A time within this of the call stands for "now": loads ask for what starts from the time they run
 * (`$gte: new Date()`), which differs between the recorded and the replayed run by less than the cache's
 * TTL, the staleness it accepts anyway.
 */
const NOW_WINDOW_MS = 2_000
const NOW = '<now>'
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/

/**
 * What a call asks the API, comparable between runs: its id and data and its params' query (the params'
 * other fields never leave this process), as JSON with sorted keys and times of the call's "now" as one
 * value. Undefined when the arguments do not serialize (such a call never matches).
 */
function callArguments(method: string, args: readonly unknown[]): string | undefined {
  const position = PARAMS_POSITION[method] ?? 1
  const params = args[position] as { query?: unknown } | undefined
  const now = Date.now()
  const isNow = (time: number) => Math.abs(time - now) <= NOW_WINDOW_MS
  try {
    return JSON.stringify([...args.slice(0, position), params?.query ?? {}], (_key, value: unknown) => {
      if (typeof value === 'string' && ISO_TIME.test(value) && isNow(Date.parse(value))) return NOW
      if (typeof value === 'number' && isNow(value)) return NOW
      if (value === null || typeof value !== 'object' || Array.isArray(value)) return value
      return Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
    })
  } catch {
    return undefined
  }
}

/** `client` whose service calls go through `call` (`live` makes the real one); the rest is the client's own. */
function interceptedClient(
  client: MasterstageClient,
  call: (path: string, method: string, args: unknown[], live: () => Promise<unknown>) => Promise<unknown>
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
            return (...args: unknown[]) => call(path, method, args, () => member.apply(real, args))
          }
        })
      }
    }
  })
}

/** Makes every service call and writes its outcome to `replies`, in call order. */
function recordingClient(client: MasterstageClient, replies: Reply[]): MasterstageClient {
  return interceptedClient(client, (path, method, args, live) => {
    const reply: Reply = {
      path,
      method,
      args: callArguments(method, args),
      settled: false,
      failed: false,
      value: undefined
    }
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
 * call that differs from the recording (another service, method or arguments), every call is made for
 * real; so is a recorded failure, unless `replayFailures` (the visit whose load recorded it).
 */
function replayingClient(
  client: MasterstageClient,
  replies: readonly Reply[],
  { replayFailures }: { replayFailures: boolean }
): MasterstageClient {
  let next = 0
  return interceptedClient(client, (path, method, args, live) => {
    const reply = replies[next]
    const matches =
      reply?.settled &&
      (replayFailures || !reply.failed) &&
      reply.path === path &&
      reply.method === method &&
      reply.args !== undefined &&
      reply.args === callArguments(method, args)
    if (!matches) {
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
