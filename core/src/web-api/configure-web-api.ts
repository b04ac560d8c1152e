// Registers the services the storefront and dashboard need beyond core's own: the public site profile of
// the addressed tenant and the staff-only plugin catalogue. createApp calls this after configureAccess.
import type { Application } from '../app/declarations.ts'
import { registerService } from '../app/register-service.ts'
import { STAFF_ROLES } from '../auth/roles.ts'
import { PLUGIN_CATALOG_PATH, PluginCatalogService } from './plugin-catalog-service.ts'
import { SITE_PATH, SiteService } from './site-service.ts'

export function configureWebApi(app: Application): void {
  // createApp calls this; test harnesses that assemble an app by hand may call it too.
  if ((app as any).services?.[SITE_PATH]) return
  registerService(app, {
    path: SITE_PATH,
    service: new SiteService(app),
    methods: ['find'],
    access: { find: 'public' },
    tenantScoped: true
  })
  registerService(app, {
    path: PLUGIN_CATALOG_PATH,
    service: new PluginCatalogService(app),
    methods: ['find', 'get'],
    access: { find: [...STAFF_ROLES], get: [...STAFF_ROLES] },
    tenantScoped: false
  })
}

declare module '../app/declarations.ts' {
  interface ServiceTypes {
    [SITE_PATH]: SiteService
    [PLUGIN_CATALOG_PATH]: PluginCatalogService
  }
}
