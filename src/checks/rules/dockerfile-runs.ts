/**
 * What the Dockerfile rules share: every RUN (ONBUILD triggers included) as
 * the shell commands it runs, stages by name, the USER a stage ends with.
 */
import { HEREDOC, instructionsWithTriggers, type Dockerfile, type Instruction, type Stage } from '../dockerfile-parser.js'
import { parseShell, programName, unwrapped, type ShellCommand } from '../shell-commands.js'

/** One command as the rules read it: what it runs and with which arguments, past sudo/env wrappers. */
export interface Call {
  /** the words without sudo/env wrappers */
  words: string[]
  /** the program without its path; `python3 -m pip` is pip */
  program: string
  /** the words after the program (after `-m pip` for python -m pip) */
  args: string[]
  /** the first argument that is not an option: `apt-get -y install x` -> install */
  sub?: string
}

export interface RunScript {
  instruction: Instruction
  /** the commands, each with its words after quote removal */
  commands: ShellCommand[]
  /** each command as a call, in the same order */
  calls: Call[]
  /** exec form (`RUN ["a", "b"]`) runs no shell */
  execForm: boolean
}

const SHELLS = new Set(['sh', 'bash', 'ash', 'dash', 'zsh', 'ksh', 'mksh', 'busybox'])
const cache = new WeakMap<Dockerfile, RunScript[]>()

/** Every RUN in every stage and every ONBUILD RUN, split into commands; computed once per file for all rules. */
export function runs(dockerfile: Dockerfile): RunScript[] {
  let found = cache.get(dockerfile)
  if (!found) {
    found = instructionsWithTriggers(dockerfile).filter((item) => item.keyword === 'RUN').map((instruction) => {
      const commands = commandsOf(instruction)
      return { instruction, commands, calls: commands.map((command) => callOf(unwrapped(command.words))), execForm: instruction.json !== undefined }
    })
    cache.set(dockerfile, found)
  }
  return found
}

function commandsOf(instruction: Instruction): ShellCommand[] {
  if (instruction.json) {
    const [program, ...rest] = instruction.json
    const dashC = rest.indexOf('-c')
    if (SHELLS.has(programName(program)) && dashC !== -1 && rest[dashC + 1] !== undefined) return parseShell(rest[dashC + 1]).commands
    return [{ words: instruction.json, assignments: [], pipeline: 0, stage: 0, pipelineSize: 1 }]
  }
  if (instruction.heredocs.length === 0) return parseShell(instruction.args).commands
  // `RUN <<EOF` runs the body as the script; `RUN cat <<EOF > file` feeds it to the command as data.
  const markers = [...instruction.args.matchAll(HEREDOC)]
  if (instruction.args.replace(HEREDOC, '').trim() === '') return instruction.heredocs.flatMap((body) => parseShell(body).commands)
  const script = [instruction.args, ...markers.map((marker, index) => `${instruction.heredocs[index] ?? ''}\n${marker[3]}`)].join('\n')
  return parseShell(script).commands
}

const NO_WORDS: string[] = []

export function callOf(words: string[]): Call {
  const name = programName(words[0])
  const viaPython = words[1] === '-m' && /^python[0-9.]*$/.test(name)
  const args = words.length <= 1 ? NO_WORDS : viaPython ? words.slice(3) : words.slice(1)
  return { words, program: viaPython ? words[2] ?? '' : name, args, sub: args.find((word) => !word.startsWith('-')) }
}

/** A call of one of these programs (by name, any path, through sudo/env; `python3 -m pip` counts as pip). */
export function isCall(call: Call, ...programs: string[]): boolean {
  return programs.includes(call.program)
}

export function stageByName(dockerfile: Dockerfile, name: string, before: number): Stage | undefined {
  const lower = name.toLowerCase()
  for (let index = Math.min(before, dockerfile.stages.length) - 1; index >= 0; index--) {
    const stage = dockerfile.stages[index]
    if (stage.alias === lower || String(stage.index) === lower) return stage
  }
  return undefined
}

/** The USER a stage ends with, following a base that is an earlier stage; undefined = never set (root). */
export function effectiveUser(dockerfile: Dockerfile, stage: Stage): { user: string; instruction: Instruction } | undefined {
  const last = stage.instructions.filter((item) => item.keyword === 'USER').at(-1)
  if (last) return { user: last.args.trim(), instruction: last }
  const parent = stageByName(dockerfile, stage.base, stage.index)
  return parent ? effectiveUser(dockerfile, parent) : undefined
}

export function hasInstruction(dockerfile: Dockerfile, stage: Stage, keyword: string): boolean {
  if (stage.instructions.some((item) => item.keyword === keyword)) return true
  const parent = stageByName(dockerfile, stage.base, stage.index)
  return parent ? hasInstruction(dockerfile, parent, keyword) : false
}

/** The stage an instruction belongs to (ONBUILD triggers belong to the stage of their ONBUILD). */
export function stageOf(dockerfile: Dockerfile, instruction: Instruction): Stage | undefined {
  return dockerfile.stages.findLast((stage) => stage.from.line <= instruction.line)
}

/** Tag of an image reference, undefined without one: `a/b:1@sha256:..` -> 1; `host:5000/b` -> undefined. */
export function imageTag(reference: string): string | undefined {
  const withoutDigest = reference.split('@')[0]
  const lastSegment = withoutDigest.slice(withoutDigest.lastIndexOf('/') + 1)
  const colon = lastSegment.lastIndexOf(':')
  return colon === -1 ? undefined : lastSegment.slice(colon + 1)
}
