// The raw collection rule: outside the data layer, code reaches MongoDB only through tenant-scoped mongoose
// models and services. Raw driver access (Model.collection, connection.collection(), connection.db,
// getClient(), Model.db.db, mongoose.mongo, the mongodb driver package itself, and the same members by
// bracket access) and change streams (Model.watch()) skip the tenant-scoping middleware, so a plugin using
// them could read or write any tenant's data.
import { readdirSync, readFileSync } from 'node:fs'
import { join, relative, sep } from 'node:path'

export interface RawAccessPattern {
  pattern: RegExp
  what: string
  /** Matched against the line with its string literals kept (module names, bracket keys). */
  inStrings?: boolean
}

export const RAW_ACCESS_PATTERNS: readonly RawAccessPattern[] = [
  // `.collection` followed by a member, a call or a type argument (also at a line end, chained below).
  {
    pattern: /\.collection\s*(?:[.<(!?]|$)/,
    what: 'raw collection (Model.collection / connection.collection())'
  },
  { pattern: /\bconnection\s*\??\.\s*db\b/, what: 'driver database (connection.db)' },
  { pattern: /\.getClient\s*\(/, what: 'driver client (connection.getClient())' },
  // Change streams skip the query middleware (not fs.watch, which watches files).
  { pattern: /(?<!\bfs)\.watch\s*\(/, what: 'change stream (Model.watch())' },
  // Model.db is the connection; its .db is the driver database (Model.db.db.command(...)).
  { pattern: /\.db\s*!?\s*\??\.\s*db\b/, what: 'driver database (Model.db.db)' },
  { pattern: /\bmongoose\s*\??\.\s*mongo\b/, what: 'driver namespace (mongoose.mongo)' },
  {
    // Type-only imports carry no access.
    pattern:
      /^(?!\s*import\s+type\b).*\bfrom\s*['"]mongodb(?:\/[^'"]*)?['"]|\b(?:require|import)\s*\(\s*['"]mongodb(?:\/[^'"]*)?['"]/,
    what: 'the MongoDB driver package imported directly',
    inStrings: true
  },
  {
    pattern: /\[\s*['"`](?:collection|db|getClient|watch|mongo)['"`]\s*\]/,
    what: 'raw member by bracket access (model[name] of collection, db, getClient, watch, mongo)',
    inStrings: true
  }
]

/** Paths (files, or folders ending in '/') where raw access is allowed, each with the reason. */
export const ALLOWED: Readonly<Record<string, string>> = {
  'core/src/data/': 'the data layer implements tenant scoping on top of the driver',
  'core/src/devdb/': 'the embedded database server itself (no mongoose models)',
  'core/src/app/health.ts': 'readiness probe: a ping command, no documents',
  'core/src/events/event-store.ts':
    'platform outbox and delivery records: tenantId is written per event explicitly',
  'core/src/email/email-sent-log.ts': 'platform idempotency log of sent emails, keyed by idempotency key',
  'scripts/src/lib/demo-seed-marker.ts': 'platform marker that the demo seed ran once, no tenant data',
  'core/src/auth/magic-link/magic-link-token-model.ts':
    'creates the single-field TTL index the tenant-led schema index rule cannot declare; no documents'
}

/**
 * Folders never scanned, by their path from the repository root (a folder merely named `test` or `build`
 * deeper in the source is scanned), with the reason.
 */
export const SKIPPED_PATHS: readonly { path: RegExp; reason: string }[] = [
  {
    path: /^(?:[^/]+|plugins\/[^/]+)\/test$/,
    reason: 'tests of a workspace or plugin read raw storage on purpose, to verify what the code wrote'
  },
  { path: /^bench$/, reason: 'benchmarks measure the bare driver as their baseline' },
  { path: /^(?:storefront|dashboard)\/build$/, reason: 'generated app bundles' }
]

/** Folders never scanned wherever they are, with the reason. */
export const SKIPPED_FOLDERS: Readonly<Record<string, string>> = {
  node_modules: 'dependencies',
  '.svelte-kit': 'generated',
  '.data': 'local database files',
  '.git': 'repository metadata',
  'test-artifacts': 'test output'
}

const SOURCE_FILE = /\.(?:ts|mts|js|mjs|svelte)$/

export interface RawAccessFinding {
  file: string
  line: number
  what: string
  text: string
}

function isAllowed(file: string): boolean {
  return Object.keys(ALLOWED).some((path) => (path.endsWith('/') ? file.startsWith(path) : file === path))
}

function* sourceFiles(root: string, dir = root): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) {
      const path = relative(root, join(dir, entry.name)).split(sep).join('/')
      const skipped = entry.name in SKIPPED_FOLDERS || SKIPPED_PATHS.some((skip) => skip.path.test(path))
      if (!skipped) yield* sourceFiles(root, join(dir, entry.name))
    } else if (entry.isFile() && SOURCE_FILE.test(entry.name)) {
      yield relative(root, join(dir, entry.name)).split(sep).join('/')
    }
  }
}

const STRING_LITERAL = /'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"|`(?:[^`\\]|\\.)*`/g

/**
 * The code of a line, comments dropped: `code` with string contents emptied (names in messages are not
 * access), `withStrings` keeping them (module names, bracket keys).
 */
function codeOf(line: string): { code: string; withStrings: string } {
  const trimmed = line.trimStart()
  if (trimmed.startsWith('//') || trimmed.startsWith('*') || trimmed.startsWith('/*'))
    return { code: '', withStrings: '' }
  // Blanking string contents at their own length keeps the comment's offset valid in the original line.
  const blanked = line.replace(STRING_LITERAL, (text) => `${text[0]}${' '.repeat(text.length - 2)}${text[0]}`)
  const commentAt = blanked.search(/\s\/\/\s/)
  const withStrings = commentAt < 0 ? line : line.slice(0, commentAt)
  return { code: withStrings.replace(STRING_LITERAL, "''"), withStrings }
}

export function findRawAccess(file: string, source: string): RawAccessFinding[] {
  const findings: RawAccessFinding[] = []
  source.split('\n').forEach((line, index) => {
    const { code, withStrings } = codeOf(line)
    for (const { pattern, what, inStrings } of RAW_ACCESS_PATTERNS) {
      if (pattern.test(inStrings ? withStrings : code))
        findings.push({ file, line: index + 1, what, text: line.trim() })
    }
  })
  return findings
}

/** Every raw access in the tree below `root` outside the allowed paths and skipped folders. */
export function checkRawCollections(root: string): RawAccessFinding[] {
  const findings: RawAccessFinding[] = []
  for (const file of sourceFiles(root)) {
    if (isAllowed(file)) continue
    findings.push(...findRawAccess(file, readFileSync(join(root, file), 'utf8')))
  }
  return findings
}
