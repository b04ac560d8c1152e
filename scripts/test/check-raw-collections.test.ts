// Tests of the raw collection rule (scripts/src/check-raw-collections*.ts): what it flags, what it lets
// through (data layer, allow-list, tests, benchmarks by their path from the root, comments, strings), and the
// lint step's exit status.
import { execFile } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { afterEach, describe, expect, it } from 'vitest'
import { checkRawCollections, findRawAccess } from '../src/check-raw-collections-rule.ts'

const CLI = resolve(import.meta.dirname, '..', 'src', 'check-raw-collections.ts')
const NODE = resolve(import.meta.dirname, '..', '..', 'node_modules', '.bin', 'node')
const trees: string[] = []

function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'raw-collections-'))
  trees.push(root)
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true })
    writeFileSync(join(root, path), text)
  }
  return root
}

afterEach(() => {
  for (const root of trees.splice(0)) rmSync(root, { recursive: true, force: true })
})

describe('findRawAccess', () => {
  it('flags each form of raw driver access with its line', () => {
    const source = [
      'const ok = await Lead.find({ status })',
      'await Lead.collection.insertOne(doc)',
      "const events = app.get('mongoose').collection('events_outbox')",
      'const typed = connection.collection<Doc>(NAME)',
      'const db = mongoose.connection.db',
      'const client = connection.getClient()',
      'const chained = connection.db!',
      '  .collection(name)',
      'const stream = Lead.watch([])'
    ].join('\n')
    expect(findRawAccess('plugins/x/service.ts', source).map((f) => [f.line, f.what])).toEqual([
      [2, expect.stringContaining('raw collection')],
      [3, expect.stringContaining('raw collection')],
      [4, expect.stringContaining('raw collection')],
      [5, expect.stringContaining('connection.db')],
      [6, expect.stringContaining('getClient')],
      [7, expect.stringContaining('connection.db')],
      [8, expect.stringContaining('raw collection')],
      [9, expect.stringContaining('Model.watch')]
    ])
  })

  it('flags the driver package, mongoose.mongo, Model.db.db and bracket access', () => {
    const source = [
      "import { MongoClient } from 'mongodb'",
      "const { Db } = await import('mongodb')",
      'const { ObjectId } = mongoose.mongo',
      'await Lead.db.db.command({ ping: 1 })',
      "await Lead['collection'].insertOne(doc)",
      'const raw = model[`db`]',
      "import type { ObjectId } from 'mongodb' // types only: no access",
      "const note = 'the mongodb driver' // from 'mongodb' in a comment"
    ].join('\n')
    expect(findRawAccess('plugins/x/service.ts', source).map((f) => [f.line, f.what])).toEqual([
      [1, expect.stringContaining('driver package')],
      [2, expect.stringContaining('driver package')],
      [3, expect.stringContaining('mongoose.mongo')],
      [4, expect.stringContaining('Model.db.db')],
      [5, expect.stringContaining('bracket')],
      [6, expect.stringContaining('bracket')]
    ])
  })

  it('ignores comments, strings and look-alike names', () => {
    const source = [
      '// never use Model.collection.find here',
      ' * or connection.db in a JSDoc line',
      "const message = 'do not call connection.collection(x) or Model.collection.find'",
      'const collections = await Tenant.find() // Model.collection is forbidden',
      'const collectionName = Model.collectionName ?? options.collectionFor(x)',
      'const db = config.db',
      'fs.watch(dir, () => reload())'
    ].join('\n')
    expect(findRawAccess('plugins/x/service.ts', source)).toEqual([])
  })
})

describe('checkRawCollections', () => {
  it('reports plugin, core and script code, and passes the data layer, allow-list, tests and benchmarks', () => {
    const raw = 'await Model.collection.deleteMany({})\n'
    const root = tree({
      'plugins/pipeline/services/leak.ts': `const a = 1\n${raw}`,
      'plugins/pipeline/dashboard/page.svelte': `<script>\n${raw}</script>\n`,
      'core/src/tenancy/leak.ts': raw,
      'scripts/src/leak.ts': raw,
      'core/src/data/mongoose-service.ts': raw,
      'core/src/devdb/commands/find.ts': raw,
      'core/src/events/event-store.ts': raw,
      'plugins/pipeline/test/services/leads.integration.test.ts': raw,
      'bench/data-layer.bench.ts': raw,
      'node_modules/some-lib/index.js': raw,
      'plugins/pipeline/README.md': raw
    })
    const findings = checkRawCollections(root).map((f) => `${f.file}:${f.line}`)
    expect(findings.sort()).toEqual([
      'core/src/tenancy/leak.ts:1',
      'plugins/pipeline/dashboard/page.svelte:2',
      'plugins/pipeline/services/leak.ts:2',
      'scripts/src/leak.ts:1'
    ])
  })

  it('skips test, bench and build folders only where they are from the repository root', () => {
    const raw = 'await Model.collection.deleteMany({})\n'
    const root = tree({
      'core/test/x.integration.test.ts': raw,
      'plugins/pipeline/test/x.test.ts': raw,
      'bench/x.bench.ts': raw,
      'storefront/build/server/index.js': raw,
      'core/src/test/leak.ts': raw,
      'plugins/pipeline/services/build/leak.ts': raw,
      'plugins/pipeline/bench/leak.ts': raw,
      'core/src/tenancy/test/leak.ts': raw
    })
    expect(
      checkRawCollections(root)
        .map((f) => f.file)
        .sort()
    ).toEqual([
      'core/src/tenancy/test/leak.ts',
      'core/src/test/leak.ts',
      'plugins/pipeline/bench/leak.ts',
      'plugins/pipeline/services/build/leak.ts'
    ])
  })

  it('passes the repository as it is', () => {
    expect(checkRawCollections(resolve(import.meta.dirname, '..', '..'))).toEqual([])
  })

  it('does not allow a file merely because its path starts like an allowed file', () => {
    const root = tree({ 'core/src/events/event-store.ts.bak.ts': 'x.collection.find()\n' })
    expect(checkRawCollections(root).map((f) => f.file)).toEqual(['core/src/events/event-store.ts.bak.ts'])
  })
})

describe('check-raw-collections CLI (the lint step)', () => {
  const run = (root: string) =>
    promisify(execFile)(NODE, [CLI, '--root', root]).then(
      (done) => ({ code: 0, ...done }),
      (failed) => ({ code: failed.code as number, stdout: failed.stdout, stderr: failed.stderr })
    )

  it('exits 1 naming the file, line and fix when code bypasses tenant scoping', async () => {
    const root = tree({ 'plugins/notes/services/notes.ts': "const c = connection.collection('notes')\n" })
    const result = await run(root)
    expect(result.code).toBe(1)
    expect(result.stderr).toContain('plugins/notes/services/notes.ts:1')
    expect(result.stderr).toContain('use a tenant-scoped model or service')
  })

  it('exits 0 on a clean tree', async () => {
    const root = tree({ 'plugins/notes/services/notes.ts': 'const c = await Note.find({})\n' })
    const result = await run(root)
    expect(result.code).toBe(0)
    expect(result.stdout).toContain('no raw collection access')
  })
})
