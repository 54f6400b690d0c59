/**
 * Runs the `run:` steps of a generated GitHub Actions workflow on this machine,
 * as a runner would: bash -e with pipefail, the workflow's, job's and step's
 * env, and the `${{ }}` expressions they use evaluated against the contexts a
 * test gives (vars, github, matrix, inputs). An expression this small
 * evaluator does not know fails the test rather than being guessed.
 */
import { execa } from 'execa'

export interface WorkflowStep { name?: string; uses?: string; run?: string; env?: Record<string, string>; 'working-directory'?: string }
export interface WorkflowJob { env?: Record<string, string>; steps: WorkflowStep[]; defaults?: { run?: { 'working-directory'?: string } } }
export interface Workflow { env?: Record<string, string>; jobs: Record<string, WorkflowJob> }
export type Contexts = Record<'vars' | 'github' | 'matrix' | 'inputs' | 'env', Record<string, string>>

/** `a.b`, 'literal', and `x || y` (the first non-empty), which is all the generated workflow's values use. */
export function evaluate(expression: string, contexts: Contexts): string {
  const alternatives = expression.split('||').map((part) => part.trim())
  for (const part of alternatives) {
    const literal = /^'([^']*)'$/.exec(part)
    const reference = /^(vars|github|matrix|inputs|env)\.([\w-]+)$/.exec(part)
    if (!literal && !reference) throw new Error(`expression not understood by the test runner: ${expression}`)
    const value = literal ? literal[1] : contexts[reference![1] as keyof Contexts][reference![2]] ?? ''
    if (value) return value
  }
  return ''
}

export function substitute(text: string, contexts: Contexts): string {
  return text.replace(/\$\{\{\s*(.*?)\s*\}\}/g, (_all, expression: string) => evaluate(expression, contexts))
}

export interface StepResult { name: string; exitCode: number; output: string }

/** Runs one `run:` step; returns its exit code and output instead of throwing. */
export async function runStep(workflow: Workflow, job: string, step: WorkflowStep, options: { cwd: string; contexts: Omit<Contexts, 'env'>; env?: Record<string, string> }): Promise<StepResult> {
  if (!step.run) throw new Error(`step ${step.name ?? step.uses} has no run: to execute here`)
  const contexts = { ...options.contexts, env: {} } as Contexts
  const env: Record<string, string> = { ...options.env }
  for (const layer of [workflow.env, workflow.jobs[job].env, step.env]) {
    for (const [key, value] of Object.entries(layer ?? {})) env[key] = substitute(String(value), { ...contexts, env })
  }
  const dir = step['working-directory'] ?? workflow.jobs[job].defaults?.run?.['working-directory']
  const cwd = dir ? `${options.cwd}/${substitute(dir, { ...contexts, env })}` : options.cwd
  const result = await execa('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', substitute(step.run, { ...contexts, env })], {
    cwd, env, reject: false, all: true,
  })
  return { name: step.name ?? step.run, exitCode: result.exitCode ?? 1, output: result.all ?? '' }
}

export function stepNamed(workflow: Workflow, job: string, name: string): WorkflowStep {
  const step = workflow.jobs[job].steps.find((candidate) => candidate.name === name)
  if (!step) throw new Error(`no step "${name}" in job ${job}`)
  return step
}
