// Turns vitest's JSON report into the CI summary line; a file that failed to load counts as a failure.

interface VitestAssertion {
  status: string
}
interface VitestFileResult {
  name: string
  status: string
  message?: string
  assertionResults: VitestAssertion[]
}
export interface VitestJsonReport {
  numPassedTests: number
  numFailedTests: number
  numPendingTests?: number
  numTodoTests?: number
  testResults: VitestFileResult[]
}

export interface TestSummary {
  passed: number
  failed: number
  skipped: number
  /** Test files that failed without any failing test (import errors, hook failures). */
  brokenFiles: string[]
  line: string
}

export function summarizeVitestReport(report: VitestJsonReport): TestSummary {
  const brokenFiles = report.testResults
    .filter((file) => file.status === 'failed' && !file.assertionResults.some((a) => a.status === 'failed'))
    .map((file) => file.name)
  const passed = report.numPassedTests
  const failed = report.numFailedTests + brokenFiles.length
  const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0)
  const line = `Tests: ${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`
  return { passed, failed, skipped, brokenFiles, line }
}
