// Storefront settings from the environment, read once: where the API is, which base domain tenant
// subdomains hang off, and where the API announces tenant changes (its Redis and queue prefix).
import { env } from '$env/dynamic/private'

export const settings = {
  apiUrl: (env.API_URL ?? 'http://127.0.0.1:3030').replace(/\/$/, ''),
  baseDomain: (env.BASE_DOMAIN ?? 'localhost').toLowerCase(),
  /** How long a tenant's public profile is reused between requests (theme edits show up after this). */
  siteCacheMs: Number(env.SITE_CACHE_MS ?? 5_000),
  secureCookies: env.SECURE_COOKIES === 'true',
  /** The scheme visitors use when no proxy header says it (adapter-node assumes https): `http` for plain
   * local runs. Form posts are accepted only from `<this scheme>://<request host>`. */
  siteProtocol: siteProtocolOf(env.SITE_PROTOCOL),
  /** The API's Redis (tenant change broadcasts); `off` to rely on SITE_CACHE_MS alone. */
  redisUrl: env.REDIS_URL === 'off' ? undefined : (env.REDIS_URL ?? 'redis://127.0.0.1:6379'),
  /** The API's QUEUE_PREFIX: its broadcast channel is `<prefix>:cache-invalidations`. */
  queuePrefix: env.QUEUE_PREFIX ?? 'ms'
}

function siteProtocolOf(value: string | undefined): 'http' | 'https' | undefined {
  if (value === undefined || value === '') return undefined
  if (value === 'http' || value === 'https') return value
  throw new Error(`SITE_PROTOCOL must be http or https, not ${JSON.stringify(value)}`)
}
