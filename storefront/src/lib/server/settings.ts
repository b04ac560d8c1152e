// Storefront settings from the environment, read once: where the API is and which base domain tenant
// subdomains hang off.
import { env } from '$env/dynamic/private'

export const settings = {
  apiUrl: (env.API_URL ?? 'http://127.0.0.1:3030').replace(/\/$/, ''),
  baseDomain: (env.BASE_DOMAIN ?? 'localhost').toLowerCase(),
  /** How long a tenant's public profile is reused between requests (theme edits show up after this). */
  siteCacheMs: Number(env.SITE_CACHE_MS ?? 5_000),
  secureCookies: env.SECURE_COOKIES === 'true'
}
