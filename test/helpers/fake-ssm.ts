// A stand-in for AWS SSM Parameter Store, where `npx arc env` keeps each stage's variables and
// `arc deploy` reads them. AWS cannot exist here; this speaks the same JSON protocol on a local
// port, so the real clients (aws-lite, Architect's inventory, `npx arc env`) run unchanged against
// it through AWS_ENDPOINT_URL. Only the three operations they use: GetParametersByPath,
// PutParameter and DeleteParameter.
import { createServer } from 'node:http'

export interface FakeSsm {
  /** Environment variables that point every AWS client in a child process here */
  env: Record<string, string>
  /** The parameters held now, by full name (`/app/stage/NAME`) */
  parameters: Map<string, string>
  /** Operations answered, in order, e.g. `PutParameter /arc-sessions/production/ARC_APP_SECRET` */
  calls: string[]
  close (): Promise<void>
}

interface Request { Path?: string, Name?: string, Value?: string, NextToken?: string }

export async function fakeSsm (initial: Record<string, string> = {}): Promise<FakeSsm> {
  let parameters = new Map(Object.entries(initial))
  let calls: string[] = []
  let server = createServer((req, res) => {
    let body = ''
    req.on('data', chunk => { body += String(chunk) })
    req.on('end', () => {
      let operation = String(req.headers['x-amz-target']).replace('AmazonSSM.', '')
      let input = JSON.parse(body || '{}') as Request
      calls.push(`${operation} ${input.Path ?? input.Name ?? ''}`)
      let answer = (status: number, payload: object) => {
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' })
        res.end(JSON.stringify(payload))
      }
      if (operation === 'GetParametersByPath') {
        let found = [ ...parameters ].filter(([ name ]) => name.startsWith(`${input.Path}/`))
        // Two at a time, so the clients' pagination is exercised as AWS's would be
        let from = Number(input.NextToken ?? 0)
        let page = found.slice(from, from + 2).map(([ Name, Value ]) => ({ Name, Value, Type: 'SecureString' }))
        return answer(200, { Parameters: page, ...(from + 2 < found.length ? { NextToken: String(from + 2) } : {}) })
      }
      if (operation === 'PutParameter' && input.Name && input.Value) {
        parameters.set(input.Name, input.Value)
        return answer(200, { Version: 1, Tier: 'Standard' })
      }
      if (operation === 'DeleteParameter' && input.Name) {
        if (!parameters.delete(input.Name)) return answer(400, { __type: 'ParameterNotFound', message: 'not found' })
        return answer(200, {})
      }
      answer(400, { __type: 'InvalidAction', message: `the fake does not do ${operation}` })
    })
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  let address = server.address()
  let port = typeof address === 'object' && address ? address.port : 0
  return {
    env: {
      AWS_ENDPOINT_URL: `http://127.0.0.1:${port}`,
      AWS_ACCESS_KEY_ID: 'fake',
      AWS_SECRET_ACCESS_KEY: 'fake',
      AWS_REGION: 'us-west-2',
    },
    parameters,
    calls,
    close: () => new Promise(resolve => server.close(() => resolve())),
  }
}
