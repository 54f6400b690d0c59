import { createLogger } from 'vite'
import { defineConfig } from 'vitest/config'

// @actions/workflow-parser imports JSON without import attributes, so the unit tests let vite
// load it; its published sourcemaps name sources it does not ship, which is not ours to fix.
const logger = createLogger()
const warn = logger.warn.bind(logger)
logger.warn = (message, options) => {
  if (message.startsWith('Sourcemap for') && message.includes('@actions/workflow-parser')) return
  warn(message, options)
}

// Three projects: unit tests are pure and run in seconds; integration tests
// drive real engines (dockerd, moto, the built CLI) and take minutes; the
// contract suite runs every built provider through the same behaviours. The
// engine projects run after one another (groupOrder), one file at a time.
export default defineConfig({
  customLogger: logger,
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          testTimeout: 10_000,
          server: { deps: { inline: ['@actions/workflow-parser'] } },
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          testTimeout: 600_000,
          hookTimeout: 600_000,
          // One file at a time: the files share one Docker engine, and Swarm init/leave or a
          // second daemon in one file can disturb the engine's DNS for containers of another.
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
      {
        extends: true,
        test: {
          name: 'contract',
          include: ['test/contract/**/*.test.ts'],
          testTimeout: 600_000,
          hookTimeout: 600_000,
          fileParallelism: false,
          sequence: { groupOrder: 2 },
        },
      },
    ],
  },
})
