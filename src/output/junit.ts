/**
 * JUnit XML, the test-report format CI systems display natively: a gate (a
 * check rule, a budget) is a test case, a violation is its failure. Pure.
 */

export interface JunitFailure {
  message: string
  type: string
  body?: string
}

export interface JunitCase {
  name: string
  classname: string
  /** seconds */
  time?: number
  failure?: JunitFailure
}

export interface JunitSuite {
  name: string
  cases: JunitCase[]
}

export function renderJunit(name: string, suites: JunitSuite[]): string {
  const count = (cases: JunitCase[]) => ({ tests: cases.length, failures: cases.filter((item) => item.failure).length })
  const all = suites.flatMap((suite) => suite.cases)
  const totals = count(all)
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>', `<testsuites name="${xmlAttr(name)}" tests="${totals.tests}" failures="${totals.failures}" errors="0">`]
  for (const suite of suites) {
    const sums = count(suite.cases)
    lines.push(`  <testsuite name="${xmlAttr(suite.name)}" tests="${sums.tests}" failures="${sums.failures}" errors="0" skipped="0">`)
    for (const item of suite.cases) {
      const time = item.time === undefined ? '' : ` time="${item.time.toFixed(3)}"`
      const open = `    <testcase name="${xmlAttr(item.name)}" classname="${xmlAttr(item.classname)}"${time}`
      if (!item.failure) {
        lines.push(`${open}/>`)
        continue
      }
      lines.push(`${open}>`)
      const body = item.failure.body ? xmlText(item.failure.body) : ''
      lines.push(`      <failure message="${xmlAttr(item.failure.message)}" type="${xmlAttr(item.failure.type)}">${body}</failure>`)
      lines.push('    </testcase>')
    }
    lines.push('  </testsuite>')
  }
  lines.push('</testsuites>')
  return `${lines.join('\n')}\n`
}

// Characters XML 1.0 does not allow at all, even escaped.
const INVALID_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g

export function xmlText(text: string): string {
  return text.replace(INVALID_XML, '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}

export function xmlAttr(text: string): string {
  return xmlText(text).replace(/"/g, '&quot;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;').replace(/\t/g, '&#9;')
}
