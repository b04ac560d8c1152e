// Serves the tenant's logo (favicon, Open Graph image) from the theme's data: URL or redirects to its URL.
import { error, redirect } from '@sveltejs/kit'
import type { RequestHandler } from './$types'

const SVG_DATA_URL = /^data:image\/svg\+xml;base64,([A-Za-z0-9+/=]+)$/

export const GET: RequestHandler = ({ locals }) => {
  const logoUrl = locals.site?.theme?.logoUrl
  if (!logoUrl) error(404, { message: 'No logo', code: 'NOT_FOUND' })
  const inline = SVG_DATA_URL.exec(logoUrl)
  if (!inline) {
    // Only to a web address, as the URL parser normalises it (no raw newline reaches the header): a
    // tenant's javascript: or data: URL must not be opened from its own storefront host.
    const target = webAddress(logoUrl)
    if (!target) error(404, { message: 'No logo', code: 'NOT_FOUND' })
    redirect(302, target)
  }
  return new Response(Buffer.from(inline[1], 'base64'), {
    headers: {
      'content-type': 'image/svg+xml',
      'cache-control': 'public, max-age=300',
      // A logo is an image, never a document that runs scripts.
      'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'"
    }
  })
}

function webAddress(value: string): string | null {
  try {
    const url = new URL(value)
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : null
  } catch {
    return null
  }
}
