// Feathers clients only expose the standard methods unless told about custom ones; these are the custom
// methods of core's services (plugins pass theirs through the `customMethods` option).
export const CORE_CUSTOM_METHODS: Readonly<Record<string, readonly string[]>> = {
  tenants: ['enablePlugin', 'disablePlugin'],
  users: ['createStaff', 'setAccess']
}

export const STANDARD_METHODS = ['find', 'get', 'create', 'update', 'patch', 'remove'] as const

/** Registers each service with its custom methods on a client configured with `connection`. */
export function registerCustomMethods(
  client: { use(path: string, service: unknown, options?: unknown): unknown },
  connection: { service(path: string): unknown },
  extra: Readonly<Record<string, readonly string[]>> = {}
): void {
  for (const [path, methods] of Object.entries({ ...CORE_CUSTOM_METHODS, ...extra })) {
    client.use(path, connection.service(path), { methods: [...STANDARD_METHODS, ...methods] })
  }
}
