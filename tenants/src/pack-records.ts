// Maps brand packs to the bodies core's agencies/tenants services accept (the one place that knows both).
import type { LoadedTenant } from './load-packs.ts'
import type { AgencyPack } from './pack-schema.ts'

export interface AgencyRecord {
  slug: string
  name: string
}

export interface TenantRecord {
  slug: string
  name: string
  domains: string[]
  theme: {
    colors: { primary: string; secondary: string; background: string; text: string; accent: string }
    fonts: { heading: string; body: string }
    logoUrl: string
    copy: Record<string, string>
  }
}

export function agencyRecord(pack: AgencyPack): AgencyRecord {
  return { slug: pack.slug, name: pack.name }
}

export function tenantRecord(tenant: LoadedTenant): TenantRecord {
  const { pack } = tenant
  return {
    slug: pack.slug,
    name: pack.name,
    domains: [...pack.domains],
    theme: {
      colors: { ...pack.theme.colors },
      fonts: { ...pack.theme.fonts },
      // Inlined so the storefront needs no asset host for a logo that ships with the pack.
      logoUrl: `data:image/svg+xml;base64,${Buffer.from(tenant.logoSvg).toString('base64')}`,
      copy: {
        headline: pack.copy.headline,
        subheadline: pack.copy.subheadline,
        callToAction: pack.copy.callToAction,
        about: pack.copy.about,
        footer: pack.copy.footer,
        'influencer.name': pack.influencer.name,
        'influencer.handle': pack.influencer.handle,
        locale: pack.locale,
        timezone: pack.timezone,
        currency: pack.currency
      }
    }
  }
}

/** Plugins the pack enables, with their non-secret settings, in file order. */
export function enabledPlugins(
  tenant: LoadedTenant
): { plugin: string; settings: Record<string, unknown> }[] {
  return Object.entries(tenant.pack.plugins)
    .filter(([, entry]) => entry.enabled)
    .map(([plugin, entry]) => ({ plugin, settings: entry.settings ?? {} }))
}
