// Runs vitest with a JSON report beside the console output, then prints the plain
// "Tests: N passed, N failed" line CI reads. Extra arguments are passed through to vitest.
import { spawn } from 'node:child_process'
import { mkdirSync, readFileSync, rmSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { prepareGeneratedFiles } from './lib/prepare-generated.ts'
import { summarizeVitestReport } from './lib/test-summary.ts'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
const reportFile = join(root, 'test-artifacts', 'vitest-report.json')
mkdirSync(dirname(reportFile), { recursive: true })
rmSync(reportFile, { force: true })

prepareGeneratedFiles(root)

const vitestBin = join(root, 'node_modules', 'vitest', 'vitest.mjs')
const args = [
  vitestBin,
  'run',
  '--reporter=default',
  '--reporter=json',
  `--outputFile.json=${reportFile}`,
  ...process.argv.slice(2)
]
const child = spawn(process.execPath, args, { cwd: root, stdio: 'inherit', env: process.env })

// Forwarded so Ctrl-C stops vitest (and its forks) before this wrapper exits.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal))

child.on('exit', (code, signal) => {
  let exitCode = code ?? (signal ? 1 : 0)
  let raw: string | undefined
  try {
    raw = readFileSync(reportFile, 'utf8')
  } catch {
    raw = undefined
  }
  if (raw === undefined) {
    console.log('No vitest report was written (vitest crashed before running tests).')
    console.log('Tests: 0 passed, 1 failed')
    process.exit(exitCode || 1)
  }
  const summary = summarizeVitestReport(JSON.parse(raw))
  for (const file of summary.brokenFiles) console.log(`Failed to run test file: ${file}`)
  console.log(summary.line)
  if (summary.failed > 0 || summary.passed === 0) exitCode = exitCode || 1
  process.exit(exitCode)
})
