// Dashboard settings from the environment: the API for server-side calls and the API URL browsers use
// for the live Socket.io connection.
import { env } from '$env/dynamic/private'

const apiUrl = (env.API_URL ?? 'http://127.0.0.1:3030').replace(/\/$/, '')

export const settings = {
  apiUrl,
  publicApiUrl: (env.PUBLIC_API_URL ?? apiUrl).replace(/\/$/, ''),
  /** Where tenants' storefronts live, for "open storefront" links (`http://<slug>.<host>`). */
  storefrontUrl: (env.STOREFRONT_URL ?? 'http://localhost:3000').replace(/\/$/, ''),
  secureCookies: env.SECURE_COOKIES === 'true'
}
