/**
 * What the Dockerfile rules share: every RUN (ONBUILD triggers included) as
 * the shell commands it runs, stages by name, the USER a stage ends with.
 */
import { HEREDOC, instructionsWithTriggers, type Dockerfile, type Instruction, type Stage } from '../dockerfile-parser.js'
import { parseShell, programName, unwrapped, type ShellCommand } from '../shell-commands.js'

export interface RunScript {
  instruction: Instruction
  /** the commands, each with its words after quote removal */
  commands: ShellCommand[]
  /** the words of each command without sudo/env wrappers, in the same order */
  calls: string[][]
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
      return { instruction, commands, calls: commands.map((command) => unwrapped(command.words)), execForm: instruction.json !== undefined }
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

/** The first word after the program that is not an option: `apt-get -y install x` -> install. */
export function subcommand(words: string[]): string | undefined {
  return words.slice(1).find((word) => !word.startsWith('-'))
}

/** A call of `program` (by name, any path), through sudo/env: `python3 -m pip install` counts as pip. */
export function isCall(words: string[], ...programs: string[]): boolean {
  const name = programName(words[0])
  if (programs.includes(name)) return true
  return /^python[0-9.]*$/.test(name) && words[1] === '-m' && programs.includes(words[2] ?? '')
}

/** The words after the program (and after `-m pip` for python -m pip). */
export function argumentsOf(words: string[]): string[] {
  return /^python[0-9.]*$/.test(programName(words[0])) && words[1] === '-m' ? words.slice(3) : words.slice(1)
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
