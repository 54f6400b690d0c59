/**
 * A Dockerfile parser written for checking, not building: it keeps every
 * instruction's line, joins line continuations, drops comments inside them,
 * reads heredocs, tells JSON form from shell form, substitutes global ARGs in
 * FROM, and splits the file into stages (the final stage decides USER and
 * HEALTHCHECK). Problems a build would stop on are returned as errors.
 */

export interface Instruction {
  /** upper-case keyword: RUN, FROM, USER... */
  keyword: string
  /** the arguments after the keyword and its --flags, continuations joined with a space */
  args: string
  /** set when the arguments are a JSON array (exec form) */
  json?: string[]
  /** --flag=value options before the arguments (--from, --chown, --platform, --mount...) */
  flags: Record<string, string>
  /** heredoc bodies, in order */
  heredocs: string[]
  /** 1-based line of the keyword, and of the instruction's last line */
  line: number
  endLine: number
  /** for ONBUILD: the instruction it registers, which runs in every image built FROM this one */
  trigger?: Instruction
}

export interface Stage {
  index: number
  /** the base as written and after ARG substitution */
  baseRaw: string
  base: string
  alias?: string
  /** the FROM instruction */
  from: Instruction
  instructions: Instruction[]
}

export interface DockerfileError {
  line: number
  message: string
}

export interface Dockerfile {
  instructions: Instruction[]
  stages: Stage[]
  /** ARGs declared before the first FROM, with their defaults */
  globalArgs: Record<string, string | undefined>
  comments: { line: number; text: string }[]
  errors: DockerfileError[]
  /** the escape character: \\ or ` (from the escape parser directive) */
  escape: string
}

const KEYWORDS = new Set([
  'ADD', 'ARG', 'CMD', 'COPY', 'ENTRYPOINT', 'ENV', 'EXPOSE', 'FROM', 'HEALTHCHECK', 'LABEL', 'MAINTAINER',
  'ONBUILD', 'RUN', 'SHELL', 'STOPSIGNAL', 'USER', 'VOLUME', 'WORKDIR',
])

// A heredoc marker starts a word: `RUN <<EOF`, `COPY <<conf /etc/x`, `cat <<-'END'`; not `a<<b` or `<<<`.
export const HEREDOC = /(?<=^|\s)<<(-?)(["']?)([A-Za-z_][A-Za-z0-9_]*)\2/g

export function parseDockerfile(text: string, buildArgs: Record<string, string> = {}): Dockerfile {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/)
  const escape = escapeDirective(lines)
  const instructions: Instruction[] = []
  const comments: Dockerfile['comments'] = []
  const errors: DockerfileError[] = []

  let index = 0
  while (index < lines.length) {
    const startLine = index + 1
    const first = lines[index]
    const trimmed = first.trim()
    if (trimmed === '') { index++; continue }
    if (trimmed.startsWith('#')) { comments.push({ line: startLine, text: trimmed }); index++; continue }

    // Join continuation lines; comment and blank lines inside an instruction are skipped, as the builder does.
    let joined = ''
    let current = first
    let lastLine = index
    for (;;) {
      const withoutTrailing = current.trimEnd()
      if (withoutTrailing.endsWith(escape) && lastLine + 1 < lines.length) {
        // Like the builder: the escape and the line break go, nothing is put in their place.
        joined += withoutTrailing.slice(0, -1)
        lastLine++
        while (lastLine < lines.length && (lines[lastLine].trim().startsWith('#') || lines[lastLine].trim() === '')) {
          const inner = lines[lastLine].trim()
          if (inner.startsWith('#')) comments.push({ line: lastLine + 1, text: inner })
          lastLine++
        }
        if (lastLine >= lines.length) break
        current = lines[lastLine]
        continue
      }
      joined += withoutTrailing.endsWith(escape) ? withoutTrailing.slice(0, -1) : withoutTrailing
      break
    }
    index = lastLine + 1

    const head = readHead(joined)
    if ('error' in head) {
      errors.push({ line: startLine, message: head.error })
      continue
    }
    const { keyword, flags } = head
    const rest = head.args

    // Heredocs: the body lines follow the instruction, up to the delimiter line.
    const heredocs: string[] = []
    if (keyword === 'RUN' || keyword === 'COPY' || keyword === 'ADD') {
      for (const heredoc of rest.matchAll(HEREDOC)) {
        const stripTabs = heredoc[1] === '-'
        const body: string[] = []
        let closed = false
        while (index < lines.length) {
          const bodyLine = stripTabs ? lines[index].replace(/^\t+/, '') : lines[index]
          index++
          if (bodyLine === heredoc[3]) { closed = true; break }
          body.push(bodyLine)
        }
        if (!closed) errors.push({ line: startLine, message: `heredoc <<${heredoc[3]} is never closed` })
        heredocs.push(body.join('\n'))
      }
    }

    const instruction: Instruction = { keyword, args: rest, flags, heredocs, line: startLine, endLine: index }
    const json = jsonForm(rest)
    if (json) instruction.json = json
    if (!rest && keyword !== 'RUN' && heredocs.length === 0) {
      errors.push({ line: startLine, message: `${keyword} needs at least one argument` })
      continue
    }
    if (keyword === 'ONBUILD') {
      // The trigger is an instruction like any other: it runs in every image built FROM this one.
      const trigger = readHead(rest)
      if ('error' in trigger) {
        errors.push({ line: startLine, message: `ONBUILD ${trigger.error}` })
      } else if (trigger.keyword === 'ONBUILD' || trigger.keyword === 'FROM' || trigger.keyword === 'MAINTAINER') {
        errors.push({ line: startLine, message: `ONBUILD cannot trigger ${trigger.keyword}` })
      } else {
        instruction.trigger = { keyword: trigger.keyword, args: trigger.args, flags: trigger.flags, heredocs: [], line: startLine, endLine: index }
        const triggerJson = jsonForm(trigger.args)
        if (triggerJson) instruction.trigger.json = triggerJson
      }
    }
    instructions.push(instruction)
  }

  const globalArgs: Record<string, string | undefined> = {}
  const stages: Stage[] = []
  for (const instruction of instructions) {
    if (instruction.keyword === 'FROM') {
      const [baseRaw = '', asWord, alias] = instruction.args.split(/\s+/)
      if (asWord !== undefined && (asWord.toUpperCase() !== 'AS' || !alias)) {
        errors.push({ line: instruction.line, message: 'FROM takes an image and an optional "AS name"' })
      }
      const values = { ...globalArgs, ...buildArgs }
      stages.push({
        index: stages.length,
        baseRaw,
        base: substitute(baseRaw, values),
        alias: alias?.toLowerCase(),
        from: instruction,
        instructions: [],
      })
      continue
    }
    const stage = stages.at(-1)
    if (!stage) {
      if (instruction.keyword === 'ARG') {
        for (const [name, value] of argDeclarations(instruction.args)) globalArgs[name] = value
        continue
      }
      errors.push({ line: instruction.line, message: `${instruction.keyword} comes before the first FROM` })
      continue
    }
    stage.instructions.push(instruction)
  }
  if (stages.length === 0 && errors.length === 0) errors.push({ line: 1, message: 'no FROM instruction: a Dockerfile must start from a base image' })
  errors.sort((a, b) => a.line - b.line)
  return { instructions, stages, globalArgs, comments, errors, escape }
}

/** The keyword, --flags and arguments of one joined instruction line. */
function readHead(joined: string): { keyword: string; flags: Record<string, string>; args: string } | { error: string } {
  const match = /^\s*([A-Za-z]+)(?:\s+([\s\S]*))?$/.exec(joined)
  if (!match) return { error: `cannot read "${truncate(joined.trim())}" as an instruction` }
  const keyword = match[1].toUpperCase()
  if (!KEYWORDS.has(keyword)) return { error: `unknown instruction "${truncate(match[1])}"` }
  let rest = (match[2] ?? '').trim()
  const flags: Record<string, string> = {}
  for (;;) {
    const flag = /^--([A-Za-z-]+)(?:=(\S*))?(?:\s+|$)/.exec(rest)
    if (!flag) break
    flags[flag[1]] = flag[2] ?? 'true'
    rest = rest.slice(flag[0].length)
  }
  return { keyword, flags, args: rest }
}

/** Every instruction, with each ONBUILD's trigger after it: what content rules (RUN, ADD, ENV...) read. */
export function instructionsWithTriggers(dockerfile: Dockerfile): Instruction[] {
  const all: Instruction[] = []
  for (const instruction of dockerfile.instructions) {
    all.push(instruction)
    if (instruction.trigger) all.push(instruction.trigger)
  }
  return all
}

/** `# escape=`` parser directive: only at the very top, before any comment or instruction. */
function escapeDirective(lines: string[]): string {
  for (const line of lines) {
    const directive = /^#\s*([a-zA-Z]+)\s*=\s*(\S+)\s*$/.exec(line.trim())
    if (!directive) return '\\'
    if (directive[1].toLowerCase() === 'escape' && (directive[2] === '`' || directive[2] === '\\')) return directive[2]
  }
  return '\\'
}

function jsonForm(args: string): string[] | undefined {
  if (!args.startsWith('[')) return undefined
  try {
    const value = JSON.parse(args) as unknown
    return Array.isArray(value) && value.every((item) => typeof item === 'string') ? value : undefined
  } catch {
    // Not valid JSON: the builder falls back to shell form.
    return undefined
  }
}

/** `ARG A=1 B` -> [[A, '1'], [B, undefined]] */
export function argDeclarations(args: string, escape = '\\'): [string, string | undefined][] {
  return splitWords(args, escape).map((word) => {
    const eq = word.indexOf('=')
    return eq === -1 ? [unquote(word, escape), undefined] : [word.slice(0, eq), unquote(word.slice(eq + 1), escape)]
  })
}

/** `ENV A=1 B="two words"` or the old `ENV A one value` -> pairs, with quotes and escapes removed as the builder does. */
export function envDeclarations(args: string, escape = '\\'): [string, string][] {
  const words = splitWords(args, escape)
  if (words.length > 0 && !words[0].includes('=')) {
    const trimmed = args.trim()
    const space = trimmed.search(/\s/)
    if (space === -1) return [[trimmed, '']]
    return [[trimmed.slice(0, space), unquote(trimmed.slice(space + 1).trim(), escape)]]
  }
  return words.map((word) => {
    const eq = word.indexOf('=')
    return eq === -1 ? [word, ''] : [word.slice(0, eq), unquote(word.slice(eq + 1), escape)]
  })
}

/**
 * Splits on whitespace outside quotes, as the builder splits ENV, ARG and LABEL: the escape
 * character keeps the next character in the word (a quote it escapes does not open or close
 * a string), except inside single quotes. Quotes and escapes stay in the words.
 */
export function splitWords(text: string, escape = '\\'): string[] {
  const words: string[] = []
  let current: string[] = []
  let started = false
  let quote: string | undefined
  const isSpace = (char: string) => char === ' ' || char === '\t' || char === '\n' || char === '\r' || char === '\f' || char === '\v'
  for (let at = 0; at < text.length; at++) {
    const char = text[at]
    if (quote) {
      if (char === escape && quote !== "'" && at + 1 < text.length) {
        current.push(char, text[++at])
        continue
      }
      current.push(char)
      if (char === quote) quote = undefined
    } else if (isSpace(char)) {
      if (started) words.push(current.join(''))
      current = []
      started = false
    } else {
      started = true
      if (char === escape) {
        if (at + 1 < text.length) current.push(char, text[++at])
        continue
      }
      if (char === '"' || char === "'") quote = char
      current.push(char)
    }
  }
  if (started) words.push(current.join(''))
  return words
}

/** Removes quotes and escapes from one word: single quotes keep everything, double quotes let the escape keep " $ and itself. */
export function unquote(word: string, escape = '\\'): string {
  if (!/["'\\`]/.test(word)) return word
  const out: string[] = []
  let quote: string | undefined
  for (let at = 0; at < word.length; at++) {
    const char = word[at]
    if (quote === "'") {
      if (char === "'") quote = undefined
      else out.push(char)
    } else if (quote === '"') {
      if (char === '"') quote = undefined
      else if (char === escape && at + 1 < word.length && (word[at + 1] === '"' || word[at + 1] === '$' || word[at + 1] === escape)) out.push(word[++at])
      else out.push(char)
    } else if (char === '"' || char === "'") {
      quote = char
    } else if (char === escape) {
      if (at + 1 < word.length) out.push(word[++at])
    } else {
      out.push(char)
    }
  }
  return out.join('')
}

/** $NAME, ${NAME}, ${NAME:-default} and ${NAME:+alt}, as the builder expands them in FROM. */
export function substitute(text: string, values: Record<string, string | undefined>): string {
  return text.replace(/\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?::([-+])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))/g, (_all, braced, op, word, bare) => {
    const value = values[braced ?? bare]
    if (op === '-') return value ? value : word
    if (op === '+') return value ? word : ''
    return value ?? ''
  })
}

/** The stage a build produces by default: the last one. */
export function finalStage(dockerfile: Dockerfile): Stage | undefined {
  return dockerfile.stages.at(-1)
}

/** The shell text an instruction runs: shell form as written, exec form joined, heredoc bodies appended. */
export function commandText(instruction: Instruction): string {
  const main = instruction.json ? instruction.json.join(' ') : instruction.args
  return [main, ...instruction.heredocs].join('\n')
}

function truncate(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}...` : text
}
