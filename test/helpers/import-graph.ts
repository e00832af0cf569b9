// The repository's import graph, read from source text: which module imports which, the
// import cycles between modules and between components (second-level folders), and imports that go the wrong way
// between top-level folders. test/layout.test.ts keeps the layout true; run this file with
// node to print the findings (`node test/helpers/import-graph.ts`).
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..')

/**
 * Top-level source folders, lowest first: a module may import its own folder and the folders
 * listed before it, never those after. broker knows nothing of the harnesses; chaos (nemeses,
 * proxy, chaos workers, checkers) builds on the broker's codec and client; harness (CLI, runners,
 * cluster backends, drivers, reports) drives both; bench measures any of them.
 */
export const LAYERS = ['broker', 'chaos', 'harness', 'bench'] as const

const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)(['"])(\.{1,2}\/[^'"\n]+)\1/gm

export interface ImportEdge { readonly from: string, readonly to: string }

function sourceFiles (dir: string): string[] {
  const out: string[] = []
  for (const entry of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) out.push(...sourceFiles(path))
    else if (entry.name.endsWith('.ts')) out.push(path)
  }
  return out
}

/** Every relative import (static, re-export, dynamic, type-only) between the layers' modules. */
export function importEdges (): ImportEdge[] {
  const edges: ImportEdge[] = []
  for (const layer of LAYERS) {
    for (const from of sourceFiles(layer)) {
      const text = readFileSync(join(ROOT, from), 'utf8')
      for (const match of text.matchAll(SPECIFIER)) {
        const to = relative(ROOT, resolve(ROOT, dirname(from), match[2]))
        if (to !== from) edges.push({ from, to })
      }
    }
  }
  return edges
}

function topFolder (path: string): string { return path.split('/')[0] }

/** Imports from a lower layer to a higher one ("broker/x.ts -> harness/y.ts"). */
export function directionViolations (edges: readonly ImportEdge[]): string[] {
  const rank = (path: string): number => (LAYERS as readonly string[]).indexOf(topFolder(path))
  return edges
    .filter(e => rank(e.to) > rank(e.from) || rank(e.to) < 0)
    .map(e => `${e.from} -> ${e.to}`)
}

/** Strongly connected components with more than one node (Tarjan), each sorted. */
export function cycles (edges: readonly ImportEdge[], node: (path: string) => string = p => p): string[][] {
  const next = new Map<string, Set<string>>()
  for (const e of edges) {
    const a = node(e.from)
    const b = node(e.to)
    if (a === b) continue
    if (!next.has(a)) next.set(a, new Set())
    if (!next.has(b)) next.set(b, new Set())
    next.get(a)!.add(b)
  }
  const index = new Map<string, number>()
  const low = new Map<string, number>()
  const stack: string[] = []
  const onStack = new Set<string>()
  const found: string[][] = []
  const visit = (v: string): void => {
    index.set(v, index.size)
    low.set(v, index.get(v)!)
    stack.push(v)
    onStack.add(v)
    for (const w of next.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w)
        low.set(v, Math.min(low.get(v)!, low.get(w)!))
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!))
      }
    }
    if (low.get(v) !== index.get(v)) return
    const component: string[] = []
    let w: string
    do {
      w = stack.pop()!
      onStack.delete(w)
      component.push(w)
    } while (w !== v)
    if (component.length > 1) found.push(component.sort())
  }
  for (const v of next.keys()) if (!index.has(v)) visit(v)
  return found
}

/**
 * The component a module belongs to: its second-level folder with everything beneath it
 * ("chaos/toxiproxy/toxics/latency.ts" -> "chaos/toxiproxy"), or "harness/." for a file
 * directly in a top-level folder.
 */
export function componentOf (path: string): string {
  const parts = path.split('/')
  return parts.length > 2 ? `${parts[0]}/${parts[1]}` : `${parts[0]}/.`
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const edges = importEdges()
  console.log(`${edges.length} imports`)
  for (const v of directionViolations(edges)) console.log(`wrong way: ${v}`)
  for (const c of cycles(edges)) console.log(`module cycle: ${c.join(' <-> ')}`)
  for (const c of cycles(edges, componentOf)) console.log(`component cycle: ${c.join(' <-> ')}`)
}
