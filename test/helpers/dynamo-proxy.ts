// An HTTP proxy in front of Sandbox's DynamoDB that can answer the way a real DynamoDB does on a
// bad day: slowly, throttled, with every write losing a race, refusing a write outright, or doing
// a write and losing its answer. It can also hold a call until the test lets it go on.
// Everything else passes through.
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http'

export interface DynamoFaults {
  /** Milliseconds to wait before passing each call on */
  delayMs?: number
  /** How many calls to answer as throttled (Infinity: all of them) */
  throttle?: number
  /** The error a throttled call gets: each of DynamoDB's three ways of saying it */
  throttleWith?: keyof typeof THROTTLING
  /** How many PutItems to answer with ConditionalCheckFailedException, as if another request won (Infinity: all of them) */
  conflicts?: number
  /** How many PutItems to refuse with a ValidationException: an error no retry mends (Infinity: all of them) */
  invalidWrites?: number
  /** How many writes (PutItem, DeleteItem) to pass to DynamoDB and then cut off, as a reset connection loses the answer */
  loseAnswers?: number
  /** Items per Query page, as DynamoDB's 1 MB pages cut a long answer: the rest needs LastEvaluatedKey */
  queryPage?: number
  /**
   * How many BatchWriteItems of more than one request to answer as DynamoDB does when short of
   * capacity: the others written, the last handed back in UnprocessedItems, for the client to send again
   */
  unprocessed?: number
  /** A table (as `calls` names it: `activity`) whose every call is refused with a ValidationException */
  brokenTable?: string
}

export interface Held {
  /** Resolves when the held call has reached the proxy */
  arrived: Promise<void>
  /** Passes it on */
  release (): void
}

export interface DynamoProxy {
  port: number
  set (faults: DynamoFaults): void
  /** The operations seen so far (GetItem, PutItem...; `GetItem on account` on a table other than the session table), throttled ones included; a read that may be stale says so */
  calls (): string[]
  /**
   * Holds the next call named so at the proxy until released: a request paused mid-flight. The
   * name is the one `calls()` gives: `PutItem` on the session table, `PutItem on activity` on another.
   */
  hold (call: string): Held
  close (): Promise<void>
}

// What DynamoDB answers when it is short of capacity: the table's, the service's, the account's
const THROTTLING = {
  ProvisionedThroughputExceededException: 'The level of configured provisioned throughput for the table was exceeded.',
  ThrottlingException: 'Rate of requests exceeds the allowed throughput.',
  RequestLimitExceeded: 'Throughput exceeds the current throughput limit for your account.',
}
export const THROTTLED_AS = Object.keys(THROTTLING) as (keyof typeof THROTTLING)[]

function refuse (res: ServerResponse, type: string, message: string) {
  res.writeHead(400, { 'content-type': 'application/x-amz-json-1.0' })
  res.end(JSON.stringify({ __type: `com.amazonaws.dynamodb.v20120810#${type}`, message }))
}

export async function dynamoProxy (target: number): Promise<DynamoProxy> {
  let faults: DynamoFaults = {}
  let seen: string[] = []
  let holds = new Map<string, { arrived: () => void, released: Promise<void> }>()

  async function handle (req: IncomingMessage, res: ServerResponse) {
    let body = Buffer.concat(await req.toArray() as Buffer[])
    let operation = String(req.headers['x-amz-target'] ?? '').split('.')[1] ?? ''
    // Sandbox's DynamoDB always reads the latest write; the real one may not, unless asked to
    let sent = JSON.parse(body.toString() || '{}') as { ConsistentRead?: boolean, TableName?: string, RequestItems?: Record<string, unknown[]> }
    let stale = operation === 'GetItem' && sent.ConsistentRead !== true
    // Calls on the session table go by their operation alone; the others name their table too.
    // (Sandbox's physical names end in the logical one: arc-sessions-staging-account)
    // (BatchWriteItem names its table in RequestItems)
    let table = String(sent.TableName ?? Object.keys(sent.RequestItems ?? {})[0]).split('-').at(-1)
    let name = `${operation}${table === 'session' ? '' : ` on ${table}`}`
    seen.push(stale ? name.replace(operation, 'GetItem (eventually consistent)') : name)
    // A call meets the faults in force when it arrives, even if the test has moved on by the time
    // its delay is over (the handler gave up on it; it must not land late)
    let { delayMs, throttleWith = 'ProvisionedThroughputExceededException' } = faults
    let throttled = Boolean(faults.throttle)
    if (faults.throttle) faults.throttle--
    let conflicted = operation === 'PutItem' && Boolean(faults.conflicts)
    if (conflicted && faults.conflicts) faults.conflicts--
    let invalid = operation === 'PutItem' && Boolean(faults.invalidWrites)
    if (invalid && faults.invalidWrites) faults.invalidWrites--
    let lost = (operation === 'PutItem' || operation === 'DeleteItem') && Boolean(faults.loseAnswers)
    if (lost && faults.loseAnswers) faults.loseAnswers--
    let held = holds.get(name)
    if (held) {
      holds.delete(name)
      held.arrived()
      await held.released
    }
    if (delayMs) await new Promise(resolve => setTimeout(resolve, delayMs))
    if (throttled) return refuse(res, throttleWith, THROTTLING[throttleWith])
    if (conflicted) return refuse(res, 'ConditionalCheckFailedException', 'The conditional request failed')
    if (invalid || (faults.brokenTable && table === faults.brokenTable)) return refuse(res, 'ValidationException', 'One or more parameter values were invalid')
    if (operation === 'Query' && faults.queryPage) {
      body = Buffer.from(JSON.stringify({ ...sent, Limit: faults.queryPage }))
      req.headers['content-length'] = String(body.length)
    }
    // The last request of a batch, kept back from DynamoDB and handed back unprocessed
    let [ batchTable, requests ] = Object.entries(sent.RequestItems ?? {})[0] ?? []
    let keptBack = operation === 'BatchWriteItem' && Boolean(faults.unprocessed) && requests && requests.length > 1 ? requests.at(-1) : undefined
    if (keptBack && faults.unprocessed) {
      faults.unprocessed--
      body = Buffer.from(JSON.stringify({ ...sent, RequestItems: { [String(batchTable)]: requests?.slice(0, -1) } }))
      req.headers['content-length'] = String(body.length)
    }
    let upstream = request({ host: '127.0.0.1', port: target, method: req.method, path: req.url, headers: req.headers }, answer => {
      // DynamoDB has done the write; the client never hears so
      if (lost) return void answer.resume().on('end', () => res.socket?.destroy())
      if (keptBack) {
        return void answer.toArray().then((chunks: Buffer[]) => {
          let answered = JSON.parse(Buffer.concat(chunks).toString()) as Record<string, unknown>
          let text = JSON.stringify({ ...answered, UnprocessedItems: { [String(batchTable)]: [ keptBack ] } })
          res.writeHead(answer.statusCode ?? 502, { 'content-type': 'application/x-amz-json-1.0', 'content-length': Buffer.byteLength(text) })
          res.end(text)
        })
      }
      res.writeHead(answer.statusCode ?? 502, answer.headers)
      answer.pipe(res)
    })
    upstream.on('error', () => res.destroy())
    upstream.end(body)
  }

  let server = createServer((req, res) => void handle(req, res))
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  let address = server.address()
  if (!address || typeof address === 'string') throw new Error('proxy has no port')
  return {
    port: address.port,
    set: next => { faults = { ...next } },
    calls: () => [ ...seen ],
    hold (call) {
      let arrived = () => {}
      let release = () => {}
      let reached = new Promise<void>(resolve => { arrived = resolve })
      holds.set(call, { arrived, released: new Promise<void>(resolve => { release = resolve }) })
      return { arrived: reached, release }
    },
    close: () => new Promise(resolve => {
      server.closeAllConnections()
      server.close(() => resolve())
    }),
  }
}
