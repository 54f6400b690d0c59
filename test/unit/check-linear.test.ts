/**
 * Hostile inputs: one 1 MB line of the shapes that made rules or the parser
 * quadratic must be checked in well under a second (2 s bound to stay robust
 * on a loaded machine), and random Dockerfile-shaped input never throws,
 * hangs or ends as a rule failure.
 */
import { describe, expect, it } from 'vitest'
import { runChecks } from '../../src/checks/engine.js'
import { parseShell } from '../../src/checks/shell-commands.js'
import { RULE_FAILED } from '../../src/checks/rules/core.js'
// The bench's generator: same seed, same input, on every run.
import { seededRandom } from '../../bench/seeded-random.mjs'

const MB = 1024 * 1024

function check(text: string) {
  const started = performance.now()
  const report = runChecks({ files: [{ path: 'Dockerfile', text, role: 'dockerfile' }], facts: [], skips: [] }, { today: '2026-11-25' })
  return { report, ms: performance.now() - started }
}

const HOSTILE: Record<string, () => string> = {
  'a RUN line of curl and words': () => `FROM a:1\nRUN curl ${'a '.repeat(MB / 2)}\n`,
  'a line of one million spaces': () => `FROM a:1\n${' '.repeat(MB)}x\n`,
  'a RUN line ending in a million spaces': () => `FROM a:1\nRUN echo${' '.repeat(MB)}\n`,
  'a RUN of repeated curl': () => `FROM a:1\nRUN ${'curl '.repeat(MB / 5)}\n`,
  'a RUN of repeated wget -k': () => `FROM a:1\nRUN ${'wget -k '.repeat(MB / 8)}\n`,
  'an unterminated double quote': () => `FROM a:1\nRUN echo "${'a'.repeat(MB)}\n`,
  'nested command substitutions': () => `FROM a:1\nRUN ${'$('.repeat(MB / 2)}\n`,
  'an ENV of a million escaped quotes': () => `FROM a:1\nENV A="${'\\"'.repeat(MB / 2)}"\n`,
  'a long apt-get install': () => `FROM a:1\nRUN apt-get install -y ${'pkg '.repeat(MB / 4)}\n`,
  'a comment line': () => `FROM a:1\n# ${'escape'.repeat(MB / 6)}\n`,
  'a long FROM': () => `FROM ${'a'.repeat(MB)}\n`,
  'a line of dashes as flags': () => `FROM a:1\nCOPY ${'--a '.repeat(MB / 4)}\n`,
  'a secret-looking ENV': () => `FROM a:1\nENV ${'PASSWORD='.repeat(MB / 9)}\n`,
  'a URL-looking line': () => `FROM a:1\nRUN echo ${'x://a:'.repeat(MB / 6)}\n`,
}

/** Lines that split into hundreds of thousands of shell commands: each is an object the rules read. */
const MANY_COMMANDS: Record<string, (size: number) => string> = {
  'a million pipes': (size) => `FROM a:1\nRUN ${'a|'.repeat(size / 2)}\n`,
  'a pipeline of downloads': (size) => `FROM a:1\nRUN ${'curl x|'.repeat(size / 7)}sh\n`,
  'a million heredoc markers': (size) => `FROM a:1\nRUN ${'cat <<E '.repeat(size / 8)}\n`,
}

describe('checking time is linear in a line\'s length', () => {
  it.each(Object.keys(HOSTILE))('%s (1 MB) in well under a second', (name) => {
    const text = HOSTILE[name]()
    expect(text.length).toBeGreaterThan(MB - 16)
    const { report, ms } = check(text)
    expect(report.findings.filter((finding) => finding.ruleId === RULE_FAILED)).toEqual([])
    expect(ms).toBeLessThan(2000)
  })

  // Eight times the text may take about eight times as long (16 allows for a loaded machine); a quadratic step takes 64 times.
  it.each(Object.keys(MANY_COMMANDS))('%s (1 MB): time grows linearly with the number of commands', (name) => {
    // The fastest of a few runs: on a shared machine a single run can be preempted.
    const fastest = (text: string, runs: number) => Math.min(...Array.from({ length: runs }, () => check(text).ms))
    const small = fastest(MANY_COMMANDS[name](MB / 8), 3)
    const large = check(MANY_COMMANDS[name](MB))
    expect(large.report.findings.filter((finding) => finding.ruleId === RULE_FAILED)).toEqual([])
    const ms = Math.min(large.ms, fastest(MANY_COMMANDS[name](MB), 2))
    // 8x the input: linear is about 8x, quadratic 64x; the margin absorbs a busy machine's pauses
    expect(ms / small).toBeLessThan(24)
    expect(ms).toBeLessThan(5000)
  }, 30_000)
})

/** Random Dockerfile-shaped text: instructions, flags, quotes, escapes, heredocs and shell operators mixed at random. */
function randomDockerfile(random: () => number): string {
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]
  const KEYWORDS = ['FROM', 'RUN', 'ENV', 'ARG', 'COPY', 'ADD', 'USER', 'CMD', 'ENTRYPOINT', 'ONBUILD', 'WORKDIR', 'SHELL', 'HEALTHCHECK', 'EXPOSE', 'LABEL', 'MAINTAINER', 'RUNN', '']
  const PIECES = [
    'apt-get', 'install', '-y', 'curl', 'apk', 'add', '--no-cache', 'pip', 'install', 'npm', 'i', 'x@1', 'go', 'gem', 'sudo', 'cd', '/app',
    '|', '||', '&&', ';', '&', '(', ')', '{', '}', '$(', '`', '${', '"', "'", '\\', '\\\n', '\n', ' ', '\t', '#', '<<EOF', '<<-E', 'EOF', '2>&1', '>', '<(',
    'A=1', 'DB_PASSWORD=x', '"it\\"s"', '--from=build', '--mount=type=cache', '[', ']', '["a","b"]', 'if', 'then', 'fi', 'case', 'in', 'esac', 'for', 'do', 'done',
    'set', '-o', 'pipefail', 'https://x', 'sh', 'bash', '=', ':', '@sha256:', 'latest', 'root', '0', '\u00e9', '\uFEFF', '\r\n',
  ]
  const lines: string[] = []
  if (random() < 0.2) lines.push(pick(['# escape=`', '# escape=\\', '# syntax=docker/dockerfile:1']))
  const count = 1 + Math.floor(random() * 20)
  for (let line = 0; line < count; line++) {
    const words = Array.from({ length: Math.floor(random() * 12) }, () => pick(PIECES))
    lines.push(`${pick(KEYWORDS)}${random() < 0.1 ? '' : ' '}${words.join(random() < 0.7 ? ' ' : '')}`)
  }
  return lines.join(random() < 0.9 ? '\n' : '\r\n')
}

describe('random Dockerfile-shaped input', () => {
  it('never throws, never makes a rule fail, and stays fast (seeded, 2,000 files)', () => {
    const random = seededRandom(20261125)
    let slowest = 0
    for (let run = 0; run < 2000; run++) {
      const text = randomDockerfile(random)
      const { report, ms } = check(text)
      expect(report.findings.filter((finding) => finding.ruleId === RULE_FAILED), text).toEqual([])
      slowest = Math.max(slowest, ms)
    }
    expect(slowest).toBeLessThan(500)
  })

  it('splits random shell text without throwing, and every command has a name', () => {
    const random = seededRandom(7)
    for (let run = 0; run < 2000; run++) {
      const script = randomDockerfile(random).replace(/^[A-Z]+ ?/gm, '')
      const { commands } = parseShell(script)
      for (const command of commands) expect(command.words.length + command.assignments.length, script).toBeGreaterThan(0)
    }
  })
})
