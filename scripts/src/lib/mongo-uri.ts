// Puts a database name into a MongoDB URI, keeping hosts and options (the harness hands out a base URI).
export function withDatabaseName(uri: string, database: string): string {
  const queryAt = uri.indexOf('?')
  const base = queryAt >= 0 ? uri.slice(0, queryAt) : uri
  const query = queryAt >= 0 ? uri.slice(queryAt) : ''
  const schemeEnd = base.indexOf('://') + 3
  const pathAt = base.indexOf('/', schemeEnd)
  const hosts = pathAt >= 0 ? base.slice(0, pathAt) : base
  return `${hosts}/${database}${query}`
}

/** The database name of a URI, if it names one. */
export function databaseNameOf(uri: string): string | undefined {
  const base = uri.split('?')[0]
  const path = base.slice(base.indexOf('://') + 3).split('/')[1]
  return path ? decodeURIComponent(path) : undefined
}

/** Hides credentials before a URI is printed. */
export function redactUri(uri: string): string {
  return uri.replace(/\/\/[^@/]*@/, '//***@')
}
