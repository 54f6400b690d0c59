/**
 * strato's own readers against reference parsers, on the same inputs:
 * - ENV and ARG words against dockerfile-ast (the parser behind the Docker
 *   language server), over the bench corpus and escape/quote edge cases;
 * - RUN command splitting against sh-syntax (mvdan/sh compiled to WASM): a
 *   script and sh-syntax's reprint of it (operators, heredocs, quoting
 *   re-serialised by a real shell parser) must split into the same commands.
 * sh-syntax is not used at run time: its AST stops at statements (no
 * commands, words or operators), and each call starts a Go WASM runtime.
 */
import { readFileSync } from 'node:fs'
import { DockerfileParser } from 'dockerfile-ast'
import { getProcessor } from 'sh-syntax'
import { beforeAll, describe, expect, it } from 'vitest'
import { argDeclarations, envDeclarations, parseDockerfile } from '../../src/checks/dockerfile-parser.js'
import { parseShell } from '../../src/checks/shell-commands.js'
import { dockerfile as corpusDockerfile } from '../../bench/check/corpus.mjs'
import { seededRandom } from '../../bench/seeded-random.mjs'

const EDGE_CASES = [
  'FROM a:1\nENV MSG="it\\"s" DB_PASSWORD=hunter2secret\n',
  'FROM a:1\nENV A=\'single "quoted"\' B=plain\\ space C="$HOME/x" D=\n',
  'FROM a:1\nENV LEGACY some value with spaces\n',
  'FROM a:1\nARG A=1 B="two words" C\nARG D=\'x y\'\n',
  '# escape=`\nFROM a:1\nENV MSG="it`"s" TOKEN=abc\n',
  'FROM a:1\nENV A="multi \\\n  line" B=2\n',
  'FROM a:1\nENV PATH=/opt/venv/bin:$PATH PYTHONDONTWRITEBYTECODE=1\n',
  'FROM a:1\nENV A="x\\\\" B=y\\$z\n',
]

/** [keyword, name, value] for every ENV and ARG, as dockerfile-ast reads them. */
function reference(text: string): [string, string, string | undefined][] {
  return DockerfileParser.parse(text).getInstructions()
    .filter((item) => item.getKeyword() === 'ENV' || item.getKeyword() === 'ARG')
    .flatMap((item) => (item as unknown as { getProperties(): { getName(): string; getValue(): string | null }[] }).getProperties()
      .map((property) => [item.getKeyword(), property.getName(), property.getValue() ?? undefined] as [string, string, string | undefined]))
}

function ours(text: string): [string, string, string | undefined][] {
  const parsed = parseDockerfile(text)
  return parsed.instructions
    .filter((item) => item.keyword === 'ENV' || item.keyword === 'ARG')
    .flatMap((item) => (item.keyword === 'ENV' ? envDeclarations(item.args, parsed.escape) : argDeclarations(item.args, parsed.escape))
      .map(([name, value]) => [item.keyword, name, item.keyword === 'ENV' && value === '' ? undefined : value] as [string, string, string | undefined]))
}

describe('ENV and ARG words match dockerfile-ast', () => {
  it.each(EDGE_CASES)('%j', (text) => {
    // dockerfile-ast reads an empty ENV value as null; strato as ''.
    expect(ours(text)).toEqual(reference(text).map(([keyword, name, value]) => [keyword, name, keyword === 'ENV' && value === '' ? undefined : value]))
  })

  it('follows the builder where dockerfile-ast keeps an escape: \\$ inside double quotes is a plain $', () => {
    const text = 'FROM a:1\nENV B="y\\$z"\n'
    expect(reference(text)).toEqual([['ENV', 'B', 'y\\$z']])
    expect(ours(text)).toEqual([['ENV', 'B', 'y$z']])
  })

  it('on 1,000 generated Dockerfiles of the bench corpus', () => {
    const random = seededRandom(42)
    for (let index = 0; index < 1000; index++) {
      const { text } = corpusDockerfile(random)
      expect(ours(text), text).toEqual(reference(text))
    }
  })
})

type Processor = (text: string, options: { print: true; originalText?: string }) => Promise<string>

describe('RUN commands match sh-syntax', () => {
  let reprint: (script: string) => Promise<string | undefined>
  beforeAll(async () => {
    // Compiled once: each call of the processor still instantiates a fresh Go runtime.
    // The project's lib settings leave out the WebAssembly types; Node has the API.
    const wasmApi = (globalThis as unknown as { WebAssembly: { compile(bytes: Uint8Array): Promise<object>; instantiate(module: object, imports: unknown): Promise<never> } }).WebAssembly
    const wasm = await wasmApi.compile(readFileSync(new URL('../../node_modules/sh-syntax/main.wasm', import.meta.url)))
    const processor = getProcessor((imports) => wasmApi.instantiate(wasm, imports)) as unknown as Processor
    reprint = async (script) => processor(script, { print: true }).catch(() => undefined)
  })

  /** What the rules read: each command's name and word count, and which commands share a pipeline. */
  const shape = (script: string) => {
    const { commands } = parseShell(script)
    return commands.map((command) => `${command.words[0] ?? '='}/${command.words.length}/${command.assignments.length}/${command.stage}of${command.pipelineSize}`)
  }

  const SCRIPTS = [
    'apk add --no-cache a && apk add b',
    'apt-get update&&apt-get install -y curl;rm -rf /var/lib/apt/lists/*',
    'curl -fsSL https://x | sudo bash - || true',
    'echo "a && b | c" \'d ; e\' && printf x\\ y',
    'set -eux; if [ -f /x ]; then cd /x && make; else echo none; fi',
    'for p in a b c; do pip install "$p"; done',
    'case "$ARCH" in amd64) A=x86_64 ;; arm64) A=aarch64 ;; esac && echo $A',
    'cat <<EOF > /etc/conf\nkey | value && x\nEOF\necho done',
    'DEBIAN_FRONTEND=noninteractive apt-get install -y x 2>&1 >/dev/null',
    'export PIP_NO_CACHE_DIR=1 && pip install flask==3',
    '(cd /src && make) && { echo built; } | tee log',
    'wget -qO- https://x | tar xz -C /opt; echo $(date) `uname`',
    'npm ci \\\n  && npm cache clean --force # a comment | not a pipe',
  ]

  it.each(SCRIPTS)('%j splits as its reprint does', async (script) => {
    const printed = await reprint(script)
    expect(printed, 'sh-syntax parses it').toBeDefined()
    expect(shape(printed!)).toEqual(shape(script))
  }, 60_000)

  it('on 300 random scripts built from RUN fragments (seeded)', async () => {
    const random = seededRandom(11)
    const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]
    const COMMANDS = ['apt-get install -y curl', 'apk add --no-cache x', 'pip install "a==1"', "echo 'a|b'", 'cd /x', 'sudo make install', 'A=1 env', 'curl -fsSL https://x', 'sh', 'tar xz', 'echo "$(id -u)"']
    const OPERATORS = [' && ', ' || ', ' | ', '; ', '\n', ' &&\\\n ']
    let compared = 0
    for (let run = 0; run < 300; run++) {
      const parts = [pick(COMMANDS)]
      const length = 1 + Math.floor(random() * 5)
      for (let index = 0; index < length; index++) parts.push(pick(OPERATORS), pick(COMMANDS))
      const script = parts.join('')
      const printed = await reprint(script)
      if (printed === undefined) continue
      expect(shape(printed), script).toEqual(shape(script))
      compared++
    }
    expect(compared).toBeGreaterThan(250)
  }, 120_000)
})
