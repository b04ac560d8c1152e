// Names of the realtime channels. Every channel is under `tenants/<id>/`, so nothing can be routed to a
// connection without naming a tenant.
export const TENANT_CHANNEL_PREFIX = 'tenants/'

export const staffChannel = (tenantId: string) => `tenants/${tenantId}/staff`
export const attendeesChannel = (tenantId: string) => `tenants/${tenantId}/attendees`
export const userChannel = (tenantId: string, userId: string) => `tenants/${tenantId}/users/${userId}`
/** `resource` names one thing inside the tenant, e.g. `masterclass:<id>`. */
export const roomChannel = (tenantId: string, resource: string) => `tenants/${tenantId}/rooms/${resource}`
export const resourceName = (kind: string, id: string) => `${kind}:${id}`
