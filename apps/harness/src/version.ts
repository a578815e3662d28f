import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { harnessRoot } from './corpus.js'

/** The harness package's version (written into reports). */
export function harnessVersion(): string {
  try {
    return (JSON.parse(readFileSync(join(harnessRoot(), 'package.json'), 'utf8')) as { version: string })
      .version
  } catch {
    return '0.0.0'
  }
}
