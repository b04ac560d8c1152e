// The CI summary line: counts passed/failed tests and treats files that failed to load as failures.
import { describe, expect, it } from 'vitest'
import { summarizeVitestReport } from '../../src/lib/test-summary.ts'

describe('summarizeVitestReport', () => {
  it('prints passed and failed counts in the plain CI form', () => {
    const summary = summarizeVitestReport({
      numPassedTests: 12,
      numFailedTests: 2,
      testResults: [
        { name: 'a.test.ts', status: 'passed', assertionResults: [{ status: 'passed' }] },
        {
          name: 'b.test.ts',
          status: 'failed',
          assertionResults: [{ status: 'failed' }, { status: 'failed' }]
        }
      ]
    })
    expect(summary.line).toBe('Tests: 12 passed, 2 failed')
    expect(summary.line).toMatch(/^(\w+: )?\d+ passed, \d+ failed(, \d+ skipped)?$/)
    expect(summary.brokenFiles).toEqual([])
  })

  it('counts a file that failed without failing tests (import error) as one failure', () => {
    const summary = summarizeVitestReport({
      numPassedTests: 3,
      numFailedTests: 0,
      numPendingTests: 1,
      testResults: [
        { name: 'broken.test.ts', status: 'failed', message: 'Cannot find module', assertionResults: [] }
      ]
    })
    expect(summary.failed).toBe(1)
    expect(summary.brokenFiles).toEqual(['broken.test.ts'])
    expect(summary.line).toBe('Tests: 3 passed, 1 failed, 1 skipped')
  })
})
