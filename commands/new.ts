import path from 'node:path'
import { Args, Flags } from '@oclif/core'
import { StratoCommand } from '../cli/base.js'
import { askChoice, askText, canPrompt } from '../cli/prompt.js'
import { LB_ALGORITHMS, PROVIDER_KINDS } from '../src/manifest/schema.js'
import { nextSteps } from '../src/scaffold/next-steps.js'
import { CI_SYSTEMS, checkGivenShopOptions, DATABASES, RUNTIMES, SHOP_SERVICES, projectNameProblem, resolveShopOptions, type ShopOptions } from '../src/scaffold/options.js'
import { renderShop } from '../src/scaffold/shop.js'
import { readTemplateTree, templatesRoot } from '../src/scaffold/template-tree.js'
import { checkTargetDir, writeTree } from '../src/scaffold/write-tree.js'
import { descriptorOf } from '../providers/descriptors.js'

interface NewResult {
  dir: string
  files: string[]
  options: ShopOptions
}

export default class New extends StratoCommand {
  static override exitCodes = ['ok', 'failure', 'usage'] as const
  static override summary = 'Scaffold the shop: users, orders and payments services, a database, strato.yaml, compose and CI.'
  static override description = 'orders needs users (every order belongs to a user) and payments needs orders (a payment is written with its order), so --services takes users, users,orders or all three. Asks for what is missing only in a terminal.'
  static override examples = [
    '<%= config.bin %> new shop',
    '<%= config.bin %> new shop --runtime python --db mysql --cache --read-replica --lb consistent-hash --target aws --target gcp',
    '<%= config.bin %> new shop --services users,orders --dir ./work/shop --json',
    '<%= config.bin %> new shop --target docker --target aws --ci gitlab',
  ]

  static override args = { name: Args.string({ description: 'Project name, a DNS label (e.g. shop); also the folder name unless --dir is given.' }) }

  static override flags = {
    runtime: Flags.string({ summary: 'Language of the services (default node; asked in a terminal).', options: [...RUNTIMES] }),
    db: Flags.string({ summary: 'Database (default postgres; asked in a terminal).', options: [...DATABASES] }),
    cache: Flags.boolean({ summary: 'Add Redis, used as a cache for user lookups.' }),
    'read-replica': Flags.boolean({ summary: 'Add a streaming read replica; reads go to it through a second pool.' }),
    lb: Flags.string({ summary: 'Load-balancing algorithm (default round-robin).', options: [...LB_ALGORITHMS] }),
    services: Flags.string({ summary: `Services to include, comma-separated (default ${SHOP_SERVICES.join(',')}).`, helpValue: 'LIST' }),
    target: Flags.string({ summary: 'Where to deploy; repeat for hybrid (default docker).', options: [...PROVIDER_KINDS], multiple: true }),
    ci: Flags.string({ summary: 'CI pipeline to write: tests, image builds, strato gate on pull requests, strato deploy on the default branch (default github).', options: [...CI_SYSTEMS] }),
    dir: Flags.string({ summary: 'Folder to create (default ./NAME).', helpValue: 'PATH' }),
    force: Flags.boolean({ summary: 'Write into a folder that is not empty.' }),
  }

  async run(): Promise<NewResult> {
    const { args, flags } = await this.parse(New)
    const given = { name: args.name, runtime: flags.runtime, db: flags.db, lb: flags.lb, services: flags.services, targets: flags.target }
    // Validate, then ask: a wrong flag must not wait behind the prompts.
    checkGivenShopOptions(given)
    const interactive = canPrompt()
    const name = args.name ?? (interactive ? await askText('Project name', (value) => projectNameProblem(value) ?? true, 'shop') : undefined)
    const options = resolveShopOptions({
      name,
      runtime: flags.runtime ?? (interactive ? await askChoice('Runtime', RUNTIMES, 'node') : undefined),
      db: flags.db ?? (interactive ? await askChoice('Database', DATABASES, 'postgres') : undefined),
      cache: flags.cache,
      readReplica: flags['read-replica'],
      lb: flags.lb,
      services: flags.services,
      targets: flags.target,
      ci: flags.ci,
    })
    const dir = path.resolve(flags.dir ?? options.name)
    const shown = path.relative(process.cwd(), dir) || '.'
    checkTargetDir(dir, shown, flags.force)

    const files = writeTree(dir, renderShop(options, readTemplateTree(templatesRoot()), descriptorOf, { version: this.config.version }))
    const progress = this.progress()
    progress.done(`Scaffolded ${options.name} in ${shown}: ${files.length} files (${options.runtime}, ${options.db}, ${options.services.join(', ')})`)
    if (!this.jsonEnabled()) {
      for (const file of files) process.stderr.write(`  ${path.join(shown, file)}\n`)
      process.stderr.write(`\n${this.errStyle.bold('Next steps:')}\n${nextSteps(options, shown).map((line) => `  ${line}`).join('\n')}\n`)
    }
    return { dir, files, options }
  }
}
