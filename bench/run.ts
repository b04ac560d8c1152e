// Runs every bench/*.bench.ts (and bench/devdb.ts) one after another, each in its own process so one
// workload's heap and JIT state cannot colour the next. `npm run bench -- framework` filters by name.
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const benchDir = dirname(fileURLToPath(import.meta.url))
const filters = process.argv.slice(2)
const files = readdirSync(benchDir)
  .filter((name) => name.endsWith('.bench.ts'))
  .sort()
if (existsSync(join(benchDir, 'devdb.ts'))) files.push('devdb.ts')
const selected = files.filter((name) => filters.length === 0 || filters.some((f) => name.includes(f)))
if (selected.length === 0) {
  console.error(`No benchmark matches ${filters.join(', ')}. Available: ${files.join(', ')}`)
  process.exit(1)
}

let failed = 0
for (const name of selected) {
  console.log(`\n=== ${name} ===`)
  const result = spawnSync(process.execPath, [join(benchDir, name)], { stdio: 'inherit', env: process.env })
  if (result.status !== 0) {
    failed++
    console.error(`${name} failed (exit ${result.status ?? result.signal})`)
  }
}
process.exit(failed > 0 ? 1 : 0)
