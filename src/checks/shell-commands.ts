/**
 * Splits the shell text of a RUN into simple commands, as sh/bash would read
 * it: quotes, escapes, comments, command and parameter substitutions,
 * redirections, heredocs, pipelines, lists (&& || ; & newline) and compound
 * commands (if/while/for/case, subshells, { } groups). Rules then look at each
 * command's words rather than at the whole text, so `apk add --no-cache a &&
 * apk add b` is two apk commands and `apt-get install sudo` is not a sudo call.
 *
 * One pass over the text, no backtracking: time is linear in its length
 * (nested substitutions are split again only up to a fixed depth).
 */

export interface ShellCommand {
  /** the words after quote removal; words[0] is the command name */
  words: string[]
  /** NAME=value assignments written before the command name (`DEBIAN_FRONTEND=noninteractive apt-get ...`) */
  assignments: { name: string; value: string }[]
  /** commands joined by | share a pipeline id */
  pipeline: number
  /** 0 for the first command of its pipeline */
  stage: number
  /** how many commands the pipeline has */
  pipelineSize: number
}

export interface ShellScript {
  commands: ShellCommand[]
  /** what sh would stop on (an unterminated quote...), as sentences */
  errors: string[]
}

/** Compound-command words that open a command position: the word after them is a command name. */
const OPENERS = new Set(['if', 'then', 'else', 'elif', 'do', 'while', 'until', '!', '{', 'time'])
/** Words that close a compound command: nothing follows them in the same simple command. */
const CLOSERS = new Set(['fi', 'done', 'esac', '}'])
const MAX_NESTING = 8
const NO_ASSIGNMENTS: ShellCommand['assignments'] = []
/** Characters that end an ordinary run inside a word. */
const SPECIAL = new Set([...' \t\r\n\\\'"`$<>&|;()#'].map((char) => char.charCodeAt(0)))

export function parseShell(text: string, depth = 0): ShellScript {
  const commands: ShellCommand[] = []
  // commands inside $( ) and backquotes, numbered after the outer ones
  const inner: ShellCommand[] = []
  const errors: string[] = []
  const length = text.length
  let index = 0

  // the current command's words (values), and whether its leading words so far are all NAME=value
  let words: string[] = []
  let leadingAssignments = 0
  let pipeline = 0
  let stage = 0
  let pipelineStart = 0
  // set when the next word is the target of a redirection, not an argument
  let redirectTarget = false
  // `for NAME in words` and `case WORD in` headers are not commands; case patterns end at `)`
  let header: 'for' | 'case' | undefined
  let inCasePattern = false
  const pendingHeredocs: { delimiter: string; stripTabs: boolean }[] = []

  let value = ''
  let rawStart = -1
  let wordOpen = false

  const endWord = (end: number) => {
    if (!wordOpen) return
    const word = value
    value = ''
    wordOpen = false
    if (redirectTarget) { redirectTarget = false; return }
    // the raw text matters only for words that may be keywords or assignments: the first ones
    const raw = words.length <= leadingAssignments || header === 'case' ? text.slice(rawStart, end) : ''
    if (inCasePattern) {
      if (raw === 'esac' || word === 'esac') inCasePattern = false
      return
    }
    if (words.length === 0 && !header) {
      // compound-command words are not command names: the next word is
      if (OPENERS.has(raw) || CLOSERS.has(raw)) return
      if (raw === 'for' || raw === 'select') header = 'for'
      else if (raw === 'case') header = 'case'
    }
    if (header === 'case' && words.length >= 2 && raw === 'in') {
      words = []
      leadingAssignments = 0
      header = undefined
      inCasePattern = true
      return
    }
    if (words.length === leadingAssignments && /^[A-Za-z_][A-Za-z0-9_]*=/.test(raw)) leadingAssignments++
    words.push(word)
  }
  const openWord = (at: number) => {
    if (!wordOpen) { wordOpen = true; rawStart = at }
  }
  const endPipeline = () => {
    for (let at = pipelineStart; at < commands.length; at++) commands[at].pipelineSize = commands.length - pipelineStart
    pipelineStart = commands.length
    if (stage > 0) pipeline++
    stage = 0
  }
  const endCommand = () => {
    const list = words
    const leading = leadingAssignments
    words = []
    leadingAssignments = 0
    if (header) {
      // a `for` header ends at its separator; `case` goes on to its patterns
      if (header === 'case') inCasePattern = true
      header = undefined
      return
    }
    if (list.length === 0) return
    let assignments = NO_ASSIGNMENTS
    if (leading > 0) {
      assignments = list.slice(0, leading).map((word) => {
        const eq = word.indexOf('=')
        return { name: word.slice(0, eq), value: word.slice(eq + 1) }
      })
    }
    commands.push({ words: leading > 0 ? list.slice(leading) : list, assignments, pipeline, stage: stage++, pipelineSize: 1 })
  }
  /** Index after the bracket that closes one opened just before `from`, honouring quotes. */
  const balanced = (from: number, open: string, close: string): number => {
    let level = 1
    let at = from
    while (at < length) {
      const char = text[at]
      if (char === '\\') { at += 2; continue }
      if (char === "'") { const end = text.indexOf("'", at + 1); at = end === -1 ? length : end + 1; continue }
      if (char === '"') { at = skipDoubleQuoted(text, at + 1); continue }
      if (char === open) level++
      else if (char === close && --level === 0) return at + 1
      at++
    }
    errors.push(`${open === '(' ? '$(' : '${'} is never closed`)
    return length + 1
  }
  const nested = (body: string) => {
    if (depth >= MAX_NESTING) return
    const script = parseShell(body, depth + 1)
    inner.push(...script.commands)
    errors.push(...script.errors)
  }
  const readHeredocBodies = () => {
    // the bodies start on the line after the operator's line; they are data, not commands
    for (const { delimiter, stripTabs } of pendingHeredocs.splice(0)) {
      let closed = false
      while (index < length) {
        let end = text.indexOf('\n', index)
        if (end === -1) end = length
        const line = text.slice(index, end)
        index = end + 1
        if ((stripTabs ? line.replace(/^\t+/, '') : line) === delimiter) { closed = true; break }
      }
      if (!closed) errors.push(`heredoc <<${delimiter} is never closed`)
    }
  }

  while (index < length) {
    const char = text[index]
    if (char === ' ' || char === '\t' || char === '\r') { endWord(index); index++; continue }
    if (char === '\n') {
      endWord(index)
      if (!inCasePattern) { endCommand(); endPipeline() }
      index++
      if (pendingHeredocs.length) readHeredocBodies()
      continue
    }
    if (char === '#' && !wordOpen) {
      const end = text.indexOf('\n', index)
      index = end === -1 ? length : end
      continue
    }
    if (char === '\\') {
      if (text[index + 1] === '\n') { index += 2; continue }
      openWord(index)
      if (index + 1 < length) value += (text[index + 1])
      index += 2
      continue
    }
    if (char === "'") {
      openWord(index)
      const end = text.indexOf("'", index + 1)
      if (end === -1) { errors.push('a single quote is never closed'); value += (text.slice(index + 1)); index = length; continue }
      value += (text.slice(index + 1, end))
      index = end + 1
      continue
    }
    if (char === '"') {
      openWord(index)
      const end = skipDoubleQuoted(text, index + 1)
      if (end > length) errors.push('a double quote is never closed')
      value += (unescapeDoubleQuoted(text.slice(index + 1, Math.min(end - 1, length))))
      index = Math.min(end, length)
      continue
    }
    if (char === '`') {
      openWord(index)
      let end = index + 1
      while (end < length && text[end] !== '`') end += text[end] === '\\' ? 2 : 1
      if (end >= length) errors.push('a backquote is never closed')
      nested(text.slice(index + 1, Math.min(end, length)))
      value += (text.slice(index, end + 1))
      index = end + 1
      continue
    }
    if (char === '$' && (text[index + 1] === '(' || text[index + 1] === '{')) {
      openWord(index)
      const open = text[index + 1]
      const end = balanced(index + 2, open, open === '(' ? ')' : '}')
      if (open === '(' && text[index + 2] !== '(') nested(text.slice(index + 2, end - 1))
      value += (text.slice(index, Math.min(end, length)))
      index = end
      continue
    }
    if ((char === '<' || char === '>') && text[index + 1] === '(' && !wordOpen) {
      // process substitution, <(curl ...): a word whose commands run too
      openWord(index)
      const end = balanced(index + 2, '(', ')')
      nested(text.slice(index + 2, end - 1))
      value += (text.slice(index, Math.min(end, length)))
      index = end
      continue
    }
    if (char === '<' || char === '>' || (char === '&' && text[index + 1] === '>')) {
      // a word of digits just before the operator is its file descriptor (2>&1), not an argument
      if (wordOpen && /^[0-9]+$/.test(text.slice(rawStart, index))) { value = ''; wordOpen = false }
      endWord(index)
      const redirect = /^(<<<|<<-?|<&|>&|>>|>\||<>|&>>?|[<>])/.exec(text.slice(index, index + 4))!
      index += redirect[0].length
      if (redirect[0] === '<<' || redirect[0] === '<<-') {
        while (text[index] === ' ' || text[index] === '\t') index++
        const delimiter = /^(["']?)([^\s'";&|<>()]+)\1/.exec(text.slice(index, index + 256))
        if (delimiter) {
          pendingHeredocs.push({ delimiter: delimiter[2], stripTabs: redirect[0] === '<<-' })
          index += delimiter[0].length
        }
        continue
      }
      // `>&2` and `2>&1` name a descriptor, which is part of the operator
      if ((redirect[0] === '>&' || redirect[0] === '<&') && /[0-9-]/.test(text[index] ?? '')) {
        while (/[0-9-]/.test(text[index] ?? '')) index++
        continue
      }
      redirectTarget = true
      continue
    }
    if (char === '&' || char === '|' || char === ';' || char === '(' || char === ')') {
      endWord(index)
      if (inCasePattern) {
        if (char === ')') inCasePattern = false
        index++
        continue
      }
      const two = text.slice(index, index + 2)
      if (two === '&&' || two === '||') { endCommand(); endPipeline(); index += 2; continue }
      if (two === ';;' || two === ';&') { endCommand(); endPipeline(); inCasePattern = true; index += two === ';;' && text[index + 2] === '&' ? 3 : 2; continue }
      if (two === '|&' || char === '|') { endCommand(); index += two === '|&' ? 2 : 1; continue }
      endCommand()
      endPipeline()
      index++
      continue
    }
    // an ordinary run of characters goes into the word in one piece
    openWord(index)
    let end = index + 1
    while (end < length && !SPECIAL.has(text.charCodeAt(end))) end++
    value += (text.slice(index, end))
    index = end
  }
  endWord(length)
  endCommand()
  endPipeline()
  if (pendingHeredocs.length) readHeredocBodies()
  const offset = pipeline + 1
  for (const command of inner) commands.push({ ...command, pipeline: command.pipeline + offset })
  return { commands, errors: [...new Set(errors)] }
}

/** Index after the closing double quote of a string starting at `from` (just after the opening one). */
function skipDoubleQuoted(text: string, from: number): number {
  let at = from
  while (at < text.length) {
    const char = text[at]
    if (char === '\\') { at += 2; continue }
    if (char === '"') return at + 1
    at++
  }
  return text.length + 1
}

/** Inside double quotes a backslash only escapes $ ` " \ and a newline. */
function unescapeDoubleQuoted(body: string): string {
  if (!body.includes('\\')) return body
  let out = ''
  for (let at = 0; at < body.length; at++) {
    const char = body[at]
    if (char === '\\' && at + 1 < body.length && '$`"\\\n'.includes(body[at + 1])) {
      if (body[at + 1] !== '\n') out += body[at + 1]
      at++
    } else {
      out += char
    }
  }
  return out
}

/** The program a command runs, without its path: `/usr/bin/apt-get` -> `apt-get`. */
export function programName(word: string | undefined): string {
  if (!word) return ''
  const slash = word.lastIndexOf('/')
  return slash === -1 ? word : word.slice(slash + 1)
}

/**
 * The command sudo, env, nice, xargs and similar wrappers run: `sudo -E apt-get install x`
 * -> the words from apt-get on. The wrapper itself stays visible in `words`.
 */
export function unwrapped(words: string[]): string[] {
  let at = 0
  for (let guard = 0; guard < 4 && at < words.length; guard++) {
    const name = programName(words[at])
    if (!['sudo', 'env', 'nice', 'nohup', 'xargs', 'exec', 'command', 'time', 'doas'].includes(name)) break
    at++
    while (at < words.length && (words[at].startsWith('-') || (name === 'env' && /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[at])))) {
      // sudo -u USER takes a value
      if (name === 'sudo' && /^-[ugCDhprtT]$/.test(words[at])) at++
      at++
    }
  }
  return at === 0 ? words : words.slice(at)
}
