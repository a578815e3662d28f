#!/usr/bin/env node
// The test suite must hold on a busy machine: runs `pnpm test` several times while CPU
// burners (child processes spinning) keep the cores busy, and reports pass/fail and wall
// time per run. Exits 1 if a run failed, 2 if all passed but one took longer than the budget.
//
// Usage: pnpm test:stress [--runs 5] [--burners 2] [--max-seconds 240] [--logs DIR] [-- command ...]
// The command defaults to `pnpm test`; e.g. `pnpm test:stress --runs 3 -- pnpm test --filter=@zswap/iaa`.
import { spawn } from 'node:child_process'
import { createWriteStream, mkdirSync, mkdtempSync, readFileSync } from 'node:fs'
import { availableParallelism, tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..')

const USAGE = `usage: pnpm test:stress [--runs N] [--burners N] [--max-seconds S] [--logs DIR] [-- command ...]
  --runs N          runs of the command (default 5)
  --burners N       CPU burner processes (default 2: both cores of a 2-core machine busy)
  --max-seconds S   wall-time budget per run; 0 = none (default 240)
  --logs DIR        where each run's output goes (default: a new directory under the OS tmpdir)
  -- command ...    what to run (default: pnpm test)`

function fail(message) {
  console.error(`stress: ${message}\n${USAGE}`)
  process.exit(64)
}

function parseArgs(argv) {
  const options = { runs: 5, burners: 2, maxSeconds: 240, logs: undefined, command: ['pnpm', 'test'] }
  const numbers = { '--runs': 'runs', '--burners': 'burners', '--max-seconds': 'maxSeconds' }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    if (arg === '--') {
      const command = argv.slice(i + 1)
      if (command.length === 0) fail('-- must be followed by a command')
      options.command = command
      break
    }
    if (arg === '--help' || arg === '-h') {
      console.log(USAGE)
      process.exit(0)
    }
    const [flag, inline] = arg.includes('=')
      ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]
      : [arg]
    const value = inline ?? argv[i + 1]
    if (flag in numbers) {
      if (inline === undefined) i++
      if (value === undefined || !/^\d+$/.test(value))
        fail(`${flag} needs a whole number, got ${value ?? 'nothing'}`)
      options[numbers[flag]] = Number(value)
    } else if (flag === '--logs') {
      if (inline === undefined) i++
      if (!value) fail('--logs needs a directory')
      options.logs = value
    } else {
      fail(`unknown option ${arg}`)
    }
  }
  if (options.runs < 1) fail('--runs must be at least 1')
  return options
}

const options = parseArgs(process.argv.slice(2))
const logs = options.logs ?? mkdtempSync(join(tmpdir(), 'zswap-stress-'))
mkdirSync(logs, { recursive: true })

// Burners: plain node processes spinning forever, ended by their pid when the runs are done.
const burners = []
function stopBurners() {
  for (const b of burners.splice(0)) b.kill('SIGKILL')
}
for (let i = 0; i < options.burners; i++) {
  burners.push(spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }))
}
let current
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    stopBurners()
    if (current) current.kill(signal)
    process.exit(130)
  })
}
process.on('exit', stopBurners)

/** Runs the command once; resolves its exit status and wall time. Output goes to the run's log. */
function runOnce(index) {
  const log = join(logs, `run-${index}.log`)
  const out = createWriteStream(log)
  const start = performance.now()
  return new Promise((resolve) => {
    const [cmd, ...args] = options.command
    const child = spawn(cmd, args, {
      cwd: root,
      env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1', DO_NOT_TRACK: '1', FORCE_COLOR: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    current = child
    child.stdout.pipe(out, { end: false })
    child.stderr.pipe(out, { end: false })
    child.on('error', (error) => out.write(`\nstress: could not start ${cmd}: ${error.message}\n`))
    child.on('close', (code, signal) => {
      current = undefined
      const seconds = (performance.now() - start) / 1000
      out.end(() => resolve({ index, code: code ?? signal ?? 'error', seconds, log }))
    })
  })
}

/** The lines of a failed run's log worth reading first. */
function failureTail(log) {
  const lines = readFileSync(log, 'utf8').split('\n')
  const failed = lines.filter((l) => /\bFAIL\b|×|ERR!|Error:|failed/.test(l)).slice(0, 30)
  return (failed.length > 0 ? failed : lines.slice(-30)).map((l) => `    ${l.slice(0, 200)}`).join('\n')
}

console.log(
  `stress: ${options.runs} run(s) of \`${options.command.join(' ')}\` with ${burners.length} CPU burner(s) ` +
    `on ${availableParallelism()} core(s); budget ${options.maxSeconds || 'none'} s per run; logs in ${logs}`,
)
const results = []
for (let i = 1; i <= options.runs; i++) {
  const r = await runOnce(i)
  const over = options.maxSeconds > 0 && r.seconds > options.maxSeconds
  results.push({ ...r, over })
  const verdict = r.code === 0 ? 'pass' : `FAIL (exit ${r.code})`
  console.log(
    `run ${i}/${options.runs}: ${verdict}, ${r.seconds.toFixed(1)} s${over ? ' (over budget)' : ''}`,
  )
  if (r.code !== 0) console.log(`  ${r.log}:\n${failureTail(r.log)}`)
}
stopBurners()

const passed = results.filter((r) => r.code === 0).length
const over = results.filter((r) => r.over).length
const times = results.map((r) => r.seconds).sort((a, b) => a - b)
console.log(
  `stress: ${passed}/${results.length} passed; wall s min ${times[0].toFixed(1)}, ` +
    `median ${times[times.length >> 1].toFixed(1)}, max ${times[times.length - 1].toFixed(1)}` +
    (options.maxSeconds > 0 ? `; ${over} over ${options.maxSeconds} s` : ''),
)
process.exit(passed < results.length ? 1 : over > 0 ? 2 : 0)
