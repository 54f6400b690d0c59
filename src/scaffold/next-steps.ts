/** What to do after `strato new`, printed on stderr. */
import type { ShopOptions } from './options.js'
import { LB_PORT } from './stack.js'

export function nextSteps(options: ShopOptions, shownDir: string): string[] {
  const secrets = ['DB_PASSWORD', ...(options.db === 'mysql' ? ['DB_ROOT_PASSWORD'] : []), ...(options.readReplica ? ['REPLICATION_PASSWORD'] : [])].join(', ')
  return [
    `cd ${shownDir}`,
    `cp .env.example .env        # then set ${secrets}`,
    `docker compose up --build   # the shop on http://127.0.0.1:${LB_PORT}`,
    'strato validate             # check strato.yaml',
    'strato check                # security rules over the repo',
    'strato plan                 # what deploy would change',
  ]
}
