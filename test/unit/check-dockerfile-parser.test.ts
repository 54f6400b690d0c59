import { describe, expect, it } from 'vitest'
import { envDeclarations, finalStage, parseDockerfile, substitute } from '../../src/checks/dockerfile-parser.js'

describe('parseDockerfile', () => {
  it('joins continuation lines, drops comments inside them and keeps the first line number', () => {
    const parsed = parseDockerfile('FROM a:1\n\nRUN apt-get update \\\n    # refresh the index\n    && apt-get install -y curl\nUSER app\n')
    expect(parsed.errors).toEqual([])
    const run = parsed.instructions[1]
    expect(run).toMatchObject({ keyword: 'RUN', line: 3, endLine: 5 })
    expect(run.args).toBe('apt-get update     && apt-get install -y curl')
    expect(parsed.instructions[2]).toMatchObject({ keyword: 'USER', line: 6, args: 'app' })
    expect(parsed.comments.map((comment) => comment.line)).toEqual([4])
  })

  it('tells JSON (exec) form from shell form, falling back to shell form for invalid JSON', () => {
    const parsed = parseDockerfile('FROM a:1\nCMD ["node", "server.js"]\nENTRYPOINT [not json]\n')
    expect(parsed.instructions[1].json).toEqual(['node', 'server.js'])
    expect(parsed.instructions[2].json).toBeUndefined()
  })

  it('reads --flags and heredocs', () => {
    const parsed = parseDockerfile('FROM --platform=linux/amd64 a:1\nCOPY --from=build --chown=1:1 /src /app\nRUN <<EOF\napt-get update\napt-get install -y x\nEOF\nUSER 1\n')
    expect(parsed.errors).toEqual([])
    expect(parsed.instructions[0].flags).toEqual({ platform: 'linux/amd64' })
    expect(parsed.instructions[1].flags).toEqual({ from: 'build', chown: '1:1' })
    expect(parsed.instructions[2].heredocs).toEqual(['apt-get update\napt-get install -y x'])
    expect(parsed.instructions[3]).toMatchObject({ keyword: 'USER', line: 7 })
  })

  it('joins a word split over two lines as the builder does', () => {
    expect(parseDockerfile('FROM a:1\nRUN echo hel\\\nlo\n').instructions[1].args).toBe('echo hello')
  })

  it('reads files saved with a byte-order mark and Windows line endings', () => {
    const parsed = parseDockerfile('\uFEFFFROM a:1\r\nRUN make \\\r\n  install\r\nUSER 1\r\n')
    expect(parsed.errors).toEqual([])
    expect(parsed.instructions.map((item) => [item.keyword, item.args, item.line])).toEqual([['FROM', 'a:1', 1], ['RUN', 'make   install', 2], ['USER', '1', 4]])
  })

  it('does not take a shift or a here-string for a heredoc', () => {
    const parsed = parseDockerfile('FROM a:1\nRUN echo $((1<<4)) && echo "x<<y"\nRUN cat <<< "$VALUE"\nUSER 1\n')
    expect(parsed.errors).toEqual([])
    expect(parsed.instructions.map((item) => item.keyword)).toEqual(['FROM', 'RUN', 'RUN', 'USER'])
  })

  it('substitutes global ARGs in FROM, with defaults and build args', () => {
    const text = 'ARG REGISTRY=local\nARG TAG\nFROM ${REGISTRY}/node:${TAG:-24} AS build\nFROM $REGISTRY/nginx:1\n'
    const parsed = parseDockerfile(text)
    expect(parsed.stages.map((stage) => stage.base)).toEqual(['local/node:24', 'local/nginx:1'])
    expect(parseDockerfile(text, { TAG: '22' }).stages[0].base).toBe('local/node:22')
    expect(parsed.stages[0].alias).toBe('build')
    expect(finalStage(parsed)?.index).toBe(1)
    expect(substitute('${X:+set}', { X: '1' })).toBe('set')
  })

  it('splits instructions into stages', () => {
    const parsed = parseDockerfile('FROM a:1 AS build\nRUN make\nFROM b:2\nCOPY --from=build /out /app\nUSER 1\n')
    expect(parsed.stages.map((stage) => stage.instructions.map((item) => item.keyword))).toEqual([['RUN'], ['COPY', 'USER']])
  })

  it('honours the escape parser directive', () => {
    const parsed = parseDockerfile('# escape=`\nFROM mcr.microsoft.com/windows:ltsc2022\nRUN dir `\n  c:\\\n')
    expect(parsed.errors).toEqual([])
    expect(parsed.instructions[1].args).toBe('dir   c:\\')
  })

  it('reports what a build would stop on, with the line', () => {
    expect(parseDockerfile('FROM a:1\nRUNN make\n').errors).toEqual([{ line: 2, message: 'unknown instruction "RUNN"' }])
    expect(parseDockerfile('RUN make\nFROM a:1\n').errors).toEqual([{ line: 1, message: 'RUN comes before the first FROM' }])
    expect(parseDockerfile('# nothing\n').errors[0].message).toMatch(/no FROM/)
    expect(parseDockerfile('FROM a:1\nRUN <<EOF\necho\n').errors[0]).toEqual({ line: 2, message: 'heredoc <<EOF is never closed' })
    expect(parseDockerfile('FROM a:1 AS\n').errors[0].line).toBe(1)
  })

  it('reads ENV in both forms', () => {
    expect(envDeclarations('A=1 B="two words"')).toEqual([['A', '1'], ['B', 'two words']])
    expect(envDeclarations('LEGACY some value')).toEqual([['LEGACY', 'some value']])
  })
})
