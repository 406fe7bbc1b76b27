// Every relative link in README.md and docs/ leads somewhere: the file exists, and a `#section`
// names a heading in it (as GitHub makes a heading's anchor).
import test from 'tape'
import { existsSync, readFileSync, readdirSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'

const root = new URL('../..', import.meta.url).pathname
const pages = [ 'README.md', ...readdirSync(join(root, 'docs')).filter(f => f.endsWith('.md')).map(f => `docs/${f}`) ]

/** The text of a page outside its code blocks, where a link is a link */
function prose (page: string): string {
  return readFileSync(join(root, page), 'utf8').replace(/^( *)```[\s\S]*?^\1```/gm, '')
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens */
function anchor (heading: string): string {
  return heading.trim().toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, '').replace(/ /g, '-')
}

function anchorsOf (page: string): Set<string> {
  return new Set([ ...prose(page).matchAll(/^#{1,6} (.+)$/gm) ].map(([ , heading ]) => anchor(heading)))
}

test('every relative link in README.md and docs/ resolves, to a file and, where it names one, a heading', t => {
  let checked = 0
  for (let page of pages) {
    for (let [ , target ] of prose(page).matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^(https?|mailto):/.test(target)) continue
      let [ path, section ] = target.split('#')
      let file = path ? relative(root, join(root, dirname(page), path)) : page
      t.ok(existsSync(join(root, file)), `${page} → ${target}: ${file} exists`)
      if (section !== undefined && file.endsWith('.md')) t.ok(anchorsOf(file).has(section), `${page} → ${target}: a heading in ${file}`)
      checked++
    }
  }
  t.ok(checked > 30, `${checked} links checked in ${pages.length} pages`)
  t.end()
})

test('the README stays a front door: at most 300 lines, and the Architect guide section within the first 120', t => {
  let lines = readFileSync(join(root, 'README.md'), 'utf8').split('\n')
  t.ok(lines.length <= 300, `${lines.length} lines`)
  let guide = lines.findIndex(line => line === '## Coming from the Architect guide')
  t.ok(guide >= 0 && guide < 120, `"Coming from the Architect guide" at line ${guide + 1}`)
  t.end()
})
