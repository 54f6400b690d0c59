/**
 * The base a change is compared with: the merge base of HEAD and a ref (by
 * default the repository's default branch), checked out read-only into a
 * temporary worktree so its manifest and files can be read as they were.
 * git runs through execa with an argv, never a shell string.
 */
import { mkdtempSync, realpathSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { execa } from 'execa'
import { usageError } from '../src/errors.js'

export interface BaseCheckout {
  /** the ref asked for, or the default branch found */
  ref: string
  /** the merge base of HEAD and ref */
  commit: string
  /** the repository's top folder at the base (a temporary worktree) */
  root: string
  /** the head project folder's counterpart at the base */
  projectDir: string
  remove(): Promise<void>
}

async function git(cwd: string, args: string[]) {
  return execa('git', args, { cwd, reject: false, env: { GIT_TERMINAL_PROMPT: '0' } })
}

const firstLine = (text: string) => String(text).trim().split('\n')[0] ?? ''

/** origin/HEAD when the clone knows it, else the first of main, master, origin/main, origin/master that exists. */
export async function defaultBranch(cwd: string): Promise<string | undefined> {
  const head = await git(cwd, ['symbolic-ref', '--quiet', '--short', 'refs/remotes/origin/HEAD'])
  if (head.exitCode === 0 && head.stdout.trim()) return head.stdout.trim()
  for (const name of ['main', 'master', 'origin/main', 'origin/master']) {
    if ((await git(cwd, ['rev-parse', '--verify', '--quiet', `${name}^{commit}`])).exitCode === 0) return name
  }
  return undefined
}

/** Finds the base of the change in `projectDir` and checks it out; the caller calls remove(). */
export async function checkoutBase(projectDir: string, ref: string | undefined): Promise<BaseCheckout> {
  const top = await git(projectDir, ['rev-parse', '--show-toplevel'])
  if (top.exitCode !== 0) {
    throw usageError(`${projectDir} is not in a git repository, so there is no base to compare with.`, 'Run strato gate inside the repository checkout of the change.')
  }
  const root = top.stdout.trim()
  const wanted = ref ?? await defaultBranch(root)
  if (!wanted) throw usageError('No default branch was found to compare with (no origin/HEAD, main or master).', 'Pass the branch the change goes into, e.g. --base origin/main.')
  const base = await git(root, ['merge-base', 'HEAD', wanted])
  if (base.exitCode !== 0) {
    const known = (await git(root, ['rev-parse', '--verify', '--quiet', `${wanted}^{commit}`])).exitCode === 0
    throw usageError(
      known ? `HEAD and "${wanted}" have no common commit in this clone.` : `"${wanted}" is not a branch, tag or commit of this repository.`,
      known
        ? 'Fetch the full history (actions/checkout with fetch-depth: 0, GIT_DEPTH: 0 on GitLab, or git fetch --unshallow).'
        : `Fetch it first (git fetch origin ${wanted.replace(/^origin\//, '')}) or pass another --base.`,
      firstLine(base.stderr) ? [firstLine(base.stderr)] : undefined,
    )
  }
  const commit = base.stdout.trim()
  const holder = mkdtempSync(path.join(tmpdir(), 'strato-gate-base-'))
  const tree = path.join(holder, 'tree')
  // Hooks of the repository must not run for a read-only look at the base.
  const added = await git(root, ['-c', 'core.hooksPath=/dev/null', 'worktree', 'add', '--detach', '--quiet', tree, commit])
  if (added.exitCode !== 0) {
    rmSync(holder, { recursive: true, force: true })
    throw usageError(`Could not check out the base ${commit.slice(0, 12)}: ${firstLine(added.stderr)}.`, 'Check that the repository is writable and not locked by another git command.')
  }
  const relative = path.relative(realpathSync(root), realpathSync(projectDir))
  return {
    ref: wanted,
    commit,
    root: tree,
    projectDir: path.join(tree, relative),
    remove: async () => {
      await git(root, ['worktree', 'remove', '--force', tree])
      rmSync(holder, { recursive: true, force: true })
      await git(root, ['worktree', 'prune'])
    },
  }
}
