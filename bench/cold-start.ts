// Cold start, for npm run bench: what a fresh Lambda process spends loading a handler's bundle,
// and where that time goes. Every figure is measured in fresh Node processes, interleaved, so that
// noise on a shared machine hits every candidate alike.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { build, type BuildOptions, type Metafile } from 'esbuild'

export interface ColdStart {
  name: string
  bytes: number
  /** Wall time of `node -e "require(bundle)"` minus a bare `node -e 0` (medians) */
  wallMs: number
  /** require() time measured inside the process (median) */
  requireMs: number
}

export function median (values: number[]): number {
  let sorted = values.toSorted((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]
}

/** `runs` fresh processes per bundle (in `bundles`, by name), with `env` */
export function coldStarts (bundles: Record<string, string>, env: Record<string, string>, runs = 20): ColdStart[] {
  let run = (code: string) => {
    let started = performance.now()
    let { stdout } = spawnSync(process.execPath, [ '-e', code ], { env })
    return { wall: performance.now() - started, inside: Number(String(stdout)) }
  }
  let requireTimed = (path: string) => `let t = performance.now(); require(${JSON.stringify(path)}); process.stdout.write(String(performance.now() - t))`
  let bare: number[] = []
  let samples: Record<string, { wall: number, inside: number }[]> = {}
  for (let i = 0; i < runs; i++) {
    bare.push(run('0').wall)
    for (let [ name, path ] of Object.entries(bundles)) (samples[name] ??= []).push(run(requireTimed(path)))
  }
  return Object.entries(bundles).map(([ name, path ]) => ({
    name,
    bytes: statSync(path).size,
    wallMs: median(samples[name].map(r => r.wall)) - median(bare),
    requireMs: median(samples[name].map(r => r.inside)),
  }))
}

/** Bytes of the output each npm package (or our own `src/`) accounts for, largest first */
export function bytesByPackage (metafile: Metafile): [string, number][] {
  let totals = new Map<string, number>()
  for (let output of Object.values(metafile.outputs)) {
    for (let [ input, { bytesInOutput } ] of Object.entries(output.inputs)) {
      let name = /node_modules\/((@[^/]+\/)?[^/]+)/.exec(input)?.[1] ?? 'this app (src/)'
      totals.set(name, (totals.get(name) ?? 0) + bytesInOutput)
    }
  }
  return [ ...totals ].filter(([ , bytes ]) => bytes > 0).sort((a, b) => b[1] - a[1])
}

/** The metafile of `entry` built with `options` (into a temporary folder, then removed) */
export async function metafileOf (entry: string, options: BuildOptions): Promise<Metafile> {
  let dir = mkdtempSync(join(tmpdir(), 'bench-meta-'))
  try {
    let result = await build({ ...options, entryPoints: [ entry ], bundle: true, platform: 'node', format: 'cjs', outfile: join(dir, 'out.cjs'), metafile: true, plugins: [], logLevel: 'error' })
    return result.metafile
  }
  finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
