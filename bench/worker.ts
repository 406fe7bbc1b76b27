// One warm "Lambda container" for the benchmark: loads built handlers (ours and the baseline) in
// this process and answers the orchestrator (bench/run.ts) over stdin/stdout, one JSON line each.
//   { op: 'call', handler, event }        → { response }
//   { op: 'bench', tasks: [{ name, handler, event }], ms } → { results: [{ name, p50, p99, perSecond }] }
import { Console } from 'node:console'
import { createWriteStream } from 'node:fs'
import { createRequire } from 'node:module'
import { createInterface } from 'node:readline'
import { Bench } from 'tinybench'
import type { APIGatewayProxyEventV2 as Event, APIGatewayProxyStructuredResultV2 as Response } from 'aws-lambda'

type Handler = (event: Event) => Promise<Response>
interface Task { name: string, handler: string, event: Event }
type Message = { op: 'call', handler: string, event: Event } | { op: 'bench', tasks: Task[], ms: number }

// stdout carries the replies. The handlers' log lines are written, as on Lambda, but to nowhere.
const sink = new Console(createWriteStream('/dev/null'))
const discard = (...args: unknown[]) => sink.log(...args)
Object.assign(console, { log: discard, info: discard, warn: discard, error: discard })

const load = createRequire(import.meta.url)
const handlers = new Map<string, Handler>()
function handler (path: string): Handler {
  if (!handlers.has(path)) handlers.set(path, (load(path) as { handler: Handler }).handler)
  return handlers.get(path) as Handler
}

function suiteOf (tasks: Task[], time: number): Bench {
  let suite = new Bench({ time, warmup: true })
  // arc.http() writes into the event it gets, so every call gets a copy. A shallow one is enough:
  // it only sets top-level fields (session, body, params: @architect/functions' src/http/index.js
  // and helpers/params.js). A deep copy (structuredClone) took 3.8 µs here, a third of a warm
  // GET /, and was timed with it, which pulled every ratio towards 1 (docs/performance.md).
  for (let task of tasks) suite.add(task.name, () => handler(task.handler)({ ...task.event }))
  return suite
}

/** Runs each task for `ms` milliseconds */
async function bench (tasks: Task[], ms: number) {
  // A discarded first pass warms up everything these calls touch (in table mode, Sandbox's
  // DynamoDB too), so the first task measured is not penalised for going first
  await suiteOf(tasks, Math.min(300, ms)).run()
  let suite = suiteOf(tasks, ms)
  await suite.run()
  return suite.tasks.map(task => {
    let result = task.result
    // A task that threw or was aborted has no figures: fail loudly rather than report nonsense
    if (!('latency' in result)) throw new Error(`${task.name}: ${result.state}`)
    return { name: task.name, p50: result.latency.p50, p99: result.latency.p99, perSecond: result.throughput.mean }
  })
}

for await (let line of createInterface({ input: process.stdin })) {
  let message = JSON.parse(line) as Message
  let reply = message.op === 'call'
    ? { response: await handler(message.handler)(message.event) }
    : { results: await bench(message.tasks, message.ms) }
  process.stdout.write(JSON.stringify(reply) + '\n')
}
