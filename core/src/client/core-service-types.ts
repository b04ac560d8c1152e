// Declares core's own services in ServiceTypes, so `client.service('tenants')` is typed from the service
// classes themselves (no hand-copied shapes). Plugins declare theirs in their contract.ts.

// Module augmentations of AppSettings the service classes rely on (so their types check in any program).
import type {} from '../auth/access-runtime.ts'
import type { MagicLinkRequestsService } from '../auth/magic-link/magic-link-requests-service.ts'
import type { UsersService } from '../auth/users-service.ts'
import type {} from '../jobs/app-settings.ts'
import type { TenantSelectionService } from '../realtime/tenant-selection-service.ts'
import type { AgenciesService } from '../tenancy/agencies-service.ts'
import type { TenantsService } from '../tenancy/tenants-service.ts'
import type {} from '../web-api/configure-web-api.ts'

declare module '../app/declarations.ts' {
  interface ServiceTypes {
    agencies: AgenciesService
    tenants: TenantsService
    users: UsersService
    'tenant-selection': TenantSelectionService
    'magic-link-requests': MagicLinkRequestsService
  }
}
