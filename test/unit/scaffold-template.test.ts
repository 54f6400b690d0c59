import { describe, expect, it } from 'vitest'
import { renderTemplate, renderTemplatePath, TemplateError } from '../../src/scaffold/template.js'

describe('renderTemplate', () => {
  it('fills values and keeps or drops blocks, nested, with else and unless', () => {
    const text = [
      'name: {{=name}}',
      '{{#if cache}}',
      'cache on',
      '{{#unless replica}}',
      'no replica',
      '{{/if}}',
      '{{else}}',
      'cache off',
      '{{/if}}',
      'end',
    ].join('\n')
    expect(renderTemplate(text, { name: 'shop' }, { cache: true, replica: false })).toBe('name: shop\ncache on\nno replica\nend')
    expect(renderTemplate(text, { name: 'shop' }, { cache: false, replica: false })).toBe('name: shop\ncache off\nend')
  })

  it('passes GitHub Actions expressions and other braces through', () => {
    const text = 'run: cd ${{ matrix.service }} && echo {a} ${HOME}'
    expect(renderTemplate(text, {}, {})).toBe(text)
  })

  it('fails loudly on unknown names and unbalanced blocks, with the place', () => {
    expect(() => renderTemplate('{{=nope}}', {}, {}, 't.txt')).toThrow(new TemplateError('t.txt:1: no value for "nope"'))
    expect(() => renderTemplate('{{#if nope}}\n{{/if}}', {}, {}, 't.txt')).toThrow('t.txt:1: unknown flag "nope"')
    expect(() => renderTemplate('{{#if a}}\nx', {}, { a: true }, 't.txt')).toThrow('t.txt:1: {{#if}} is never closed')
    expect(() => renderTemplate('{{/if}}', {}, {}, 't.txt')).toThrow('t.txt:1: {{/if}} without an open {{#if}}')
    expect(() => renderTemplate('x {{#if a}}', {}, { a: true }, 't.txt')).toThrow('a block tag must stand on a line of its own')
  })
})

describe('renderTemplatePath', () => {
  it('strips conditions from file and folder names and turns dot- into a dot', () => {
    const flags = { postgres: true, mysql: false, replica: true }
    expect(renderTemplatePath('src/db@postgres.js', flags)).toBe('src/db.js')
    expect(renderTemplatePath('src/db@mysql.js', flags)).toBeUndefined()
    expect(renderTemplatePath('db@replica/Dockerfile@postgres', flags)).toBe('db/Dockerfile')
    expect(renderTemplatePath('db@replica/entrypoint@mysql.sh', flags)).toBeUndefined()
    expect(renderTemplatePath('dot-github/workflows/ci.yml', flags)).toBe('.github/workflows/ci.yml')
    expect(renderTemplatePath('dot-env.example', flags)).toBe('.env.example')
    expect(() => renderTemplatePath('x@nope.js', flags)).toThrow('unknown flag "nope"')
  })
})
