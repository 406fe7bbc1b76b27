// Checks on the CloudFormation template that `npx arc deploy` would send, built offline.
// Each returns the problems it found, written for the person who has to fix app.arc.
import { existsSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { modeConflict } from '../../src/shared/session/config.ts'

export interface Resource {
  Type: string
  Properties: Record<string, unknown>
  ArcMetadata?: { pragma: string, method?: string, path?: string }
}
export interface Template { Resources: Record<string, Resource> }

interface TableProperties {
  TableName?: unknown
  BillingMode?: string
  KeySchema?: { AttributeName: string, KeyType: string }[]
  AttributeDefinitions?: { AttributeName: string, AttributeType: string }[]
  TimeToLiveSpecification?: { AttributeName: string, Enabled: boolean }
}

export function checkSessionTable (template: Template): string[] {
  let table = template.Resources.SessionTable
  if (table?.Type !== 'AWS::DynamoDB::Table') return [ 'no `session` table: add it under @tables in app.arc' ]
  let props = table.Properties as TableProperties
  let problems: string[] = []
  if (props.BillingMode !== 'PAY_PER_REQUEST') problems.push(`session table: BillingMode is ${props.BillingMode}, expected PAY_PER_REQUEST`)
  let hash = props.KeySchema?.find(k => k.KeyType === 'HASH')?.AttributeName
  let hashType = props.AttributeDefinitions?.find(a => a.AttributeName === hash)?.AttributeType
  if (hash !== '_idx' || hashType !== 'S') {
    problems.push(`session table: the hash key is ${hash} (${hashType}); it must be \`_idx *String\` in app.arc, the key Architect's sessions use`)
  }
  // Without a fixed name, CloudFormation names the table after each stage's own stack: a table per
  // stage, so a session id from staging finds no row in production
  if (props.TableName !== undefined) problems.push('session table: it has a fixed TableName, so every stage would share one table and its sessions; let CloudFormation name it')
  let ttl = props.TimeToLiveSpecification
  if (ttl?.AttributeName !== '_ttl' || !ttl.Enabled) {
    problems.push(`session table: TTL is on ${ttl?.AttributeName ?? 'no attribute'}; it must be \`_ttl TTL\` in app.arc (@tables session), the attribute the sessions write, or expired rows are never deleted`)
  }
  return problems
}

/** The `limit` and `activity` tables expire their rows by `_ttl`, or they would grow forever */
export function checkExpiringTables (template: Template): string[] {
  return [ 'limit', 'activity' ].flatMap(table => {
    let id = `${table[0].toUpperCase()}${table.slice(1)}Table`
    let ttl = (template.Resources[id]?.Properties as TableProperties | undefined)?.TimeToLiveSpecification
    return ttl?.AttributeName === '_ttl' && ttl.Enabled ? [] : [ `${table} table: no TTL on \`_ttl\`; declare it in app.arc (@tables ${table}: \`_ttl TTL\`), or its rows are never deleted` ]
  })
}

/** `get-index` → `GET /`, `post-count` → `POST /count`: Architect's folder naming */
export function routeOf (folder: string): string {
  // Architect names a route's folder after its method and path, `/` becoming `-`
  let [ method, ...rest ] = folder.split('-')
  let path = rest.join('/')
  return `${method.toUpperCase()} /${path === 'index' ? '' : path}`
}

export function checkRoutes (template: Template, expected: string[]): string[] {
  let present = Object.values(template.Resources)
    .filter(r => r.Type === 'AWS::Serverless::Function' && r.ArcMetadata?.pragma === 'http')
    .map(r => `${String(r.ArcMetadata?.method).toUpperCase()} ${r.ArcMetadata?.path}`)
  return expected.filter(route => !present.includes(route)).map(route => `route ${route} is missing from app.arc @http`)
}

/** Every Lambda's ARC_SESSION_TABLE_NAME is `expected`: the variable the wrapper reads first */
export function checkSessionVariable (template: Template, expected: string): string[] {
  return Object.entries(template.Resources)
    .filter(([ , r ]) => r.Type === 'AWS::Serverless::Function')
    .map(([ name, r ]) => [ name, (r.Properties.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables?.ARC_SESSION_TABLE_NAME ])
    .filter(([ , value ]) => value !== expected)
    .map(([ name, value ]) => `${String(name)}: ARC_SESSION_TABLE_NAME is ${String(value)}, expected ${expected}`)
}

/** No Lambda may get mode variables that disagree (the wrapper would refuse to start) */
export function checkModeVariables (template: Template, stage: string): string[] {
  return Object.entries(template.Resources)
    .filter(([ , r ]) => r.Type === 'AWS::Serverless::Function')
    .map(([ name, r ]) => {
      let variables = (r.Properties.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {}
      let strings = Object.fromEntries(Object.entries(variables).filter(([ , value ]) => typeof value === 'string')) as Record<string, string>
      let conflict = modeConflict(strings, stage)
      return conflict && `${name}: ${conflict}`
    })
    .filter(problem => problem !== null)
}

interface Statement { Effect: string, Action: string | string[], Resource: unknown, Condition?: unknown }
interface RoleProperties { Policies?: { PolicyDocument: { Statement: Statement[] } }[] }
type Access = Partial<Record<string, string[]>>

/** What a role's statements allow on one table: its actions, sorted, an UpdateItem limited by attributes written `UpdateItem(a,b)` */
function allowedOn (role: Resource | undefined, table: string): string[] {
  let statements = (role?.Properties as RoleProperties | undefined)?.Policies?.flatMap(p => p.PolicyDocument.Statement) ?? []
  let onTable = statements.filter(s => s.Effect === 'Allow' && JSON.stringify(s.Resource).includes(`"Ref":"${table}"`))
  return onTable.flatMap(s => {
    let actions = Array.isArray(s.Action) ? s.Action : [ s.Action ]
    let only = (s.Condition as { 'ForAllValues:StringEquals'?: { 'dynamodb:Attributes'?: string[] } } | undefined)?.['ForAllValues:StringEquals']?.['dynamodb:Attributes']
    return only ? actions.map(a => `${a}(${only.join(',')})`) : s.Condition ? actions.map(a => `${a}(conditioned)`) : actions
  }).sort()
}

/**
 * Each function has a role of its own, allowing on each of the app's tables exactly the item
 * actions `expected` gives it (an UpdateItem on the passkey or account table only on its `updatable` attributes), and
 * Architect's shared role allows nothing on them
 */
export function checkFunctionAccess (template: Template, expected: Record<string, Access>, updatable: Record<string, Access>): string[] {
  let tables = [ 'SessionTable', 'AccountTable', 'PasskeyTable', 'LimitTable', 'ActivityTable' ]
  let functions = Object.entries(template.Resources).filter(([ , r ]) => r.Type === 'AWS::Serverless::Function')
  let shared = tables.flatMap(table => allowedOn(template.Resources.Role, table).length ? [ `Architect's shared role still allows ${allowedOn(template.Resources.Role, table).join(', ')} on ${table} (is table-access under @plugins in app.arc?)` ] : [])
  return [ ...shared, ...functions.flatMap(([ fn, resource ]) => {
    let access = expected[fn]
    if (!access) return [ `${fn} has no entry in table-access's FUNCTION_ACCESS: say what its code calls` ]
    let roleRef = (resource.Properties.Role as { 'Fn::GetAtt'?: [ string, string ] } | undefined)?.['Fn::GetAtt']?.[0]
    let role = roleRef ? template.Resources[roleRef] : undefined
    if (!role || role.Type !== 'AWS::IAM::Role' || roleRef === 'Role') return [ `${fn} has no role of its own` ]
    return tables.flatMap(table => {
      let only = (table === 'PasskeyTable' || table === 'AccountTable') ? updatable[fn]?.[table] ?? [] : null
      let wanted = (access[table] ?? []).map(a => only && a === 'dynamodb:UpdateItem' ? `${a}(${only.join(',')})` : a).sort()
      let allowed = allowedOn(role, table)
      return JSON.stringify(allowed) === JSON.stringify(wanted) ? [] : [ `${fn}'s role allows ${allowed.join(', ') || 'nothing'} on ${table}, expected ${wanted.join(', ') || 'nothing'}` ]
    })
  }) ]
}

type Throttling = Record<string, { ThrottlingBurstLimit: number, ThrottlingRateLimit: number }>

/** The HTTP API throttles each route `expected` names exactly as it says (the route-throttling plugin) */
export function checkRouteThrottling (template: Template, expected: Throttling): string[] {
  let api = Object.values(template.Resources).find(r => r.Type === 'AWS::Serverless::HttpApi')
  if (!api) return [ 'the template has no HTTP API' ]
  let settings = (api.Properties.RouteSettings ?? {}) as Throttling
  return Object.entries(expected).flatMap(([ route, wanted ]) => JSON.stringify(settings[route]) === JSON.stringify(wanted)
    ? []
    : [ `route ${route} is throttled at ${JSON.stringify(settings[route] ?? 'nothing')}, expected ${JSON.stringify(wanted)} (is route-throttling under @plugins in app.arc?)` ])
}

/**
 * cfn-lint, AWS's CloudFormation linter, on the template: its errors are problems, its warnings
 * are printed. Returns null when cfn-lint is not installed.
 */
export function cfnLint (template: Template): { problems: string[], warnings: string[] } | null {
  let dir = mkdtempSync(join(tmpdir(), 'cfn-lint-'))
  try {
    let file = join(dir, 'template.json')
    writeFileSync(file, JSON.stringify(template, null, 2))
    let run = spawnSync('cfn-lint', [ '--format', 'parseable', file ], { encoding: 'utf8' })
    if (run.error) return null
    let findings = run.stdout.split('\n').filter(Boolean).map(line => line.replace(`${file}:`, ''))
    // Its exit code is a bit field: 2 means errors, 4 warnings, 8 informational
    let errors = (run.status ?? 2) & 2
    return {
      problems: errors ? findings.filter(f => /:E\d/.test(f)).map(f => `cfn-lint: ${f}`).concat(findings.length ? [] : [ `cfn-lint failed: ${run.stderr.trim()}` ]) : [],
      warnings: findings.filter(f => !/:E\d/.test(f)),
    }
  }
  finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

export interface LambdaReport { name: string, bundleBytes: number }

export function checkLambdas (template: Template, stage: string): { problems: string[], lambdas: LambdaReport[] } {
  let problems: string[] = []
  let lambdas: LambdaReport[] = []
  for (let [ name, resource ] of Object.entries(template.Resources)) {
    if (resource.Type !== 'AWS::Serverless::Function') continue
    let { Runtime, CodeUri, Timeout } = resource.Properties as { Runtime: string, CodeUri: string, Timeout: number }
    if (Runtime !== 'nodejs22.x') problems.push(`${name}: runtime ${Runtime}, expected nodejs22.x (set base-runtime under @typescript in app.arc)`)
    // The wrapper budgets each request from what Lambda says is left, so any timeout works; but
    // the README and the tests assume the 10 s that app.arc sets
    if (Timeout !== 10) problems.push(`${name}: timeout ${Timeout} s, expected 10 (set timeout under @aws in app.arc)`)
    let bundle = join(CodeUri, 'index.js')
    if (!existsSync(bundle)) {
      problems.push(`${name}: no bundle at ${bundle}`)
      continue
    }
    lambdas.push({ name, bundleBytes: statSync(bundle).size })
    if (stage === 'production' && (existsSync(`${bundle}.map`) || readFileSync(bundle, 'utf8').includes('sourceMappingURL'))) {
      problems.push(`${name}: production bundle has source maps (check sourcemaps under @typescript in app.arc)`)
    }
    // Table mode's store requires @architect/functions from a file of its own (esbuild.config.js)
    let functions = join(CodeUri, 'architect-functions.cjs')
    if (!existsSync(functions)) problems.push(`${name}: no ${functions}; is the esbuild-config in app.arc the project's esbuild.config.js?`)
    try {
      // A fresh process, as a cold Lambda: loading must not throw, and must export a handler
      execFileSync(process.execPath, [ '-e', `if (typeof require(${JSON.stringify(bundle)}).handler !== 'function' || typeof require(${JSON.stringify(functions)}).tables !== 'function') process.exit(3)` ], {
        // (a deployed stage's passkey routes stop at cold start without PASSKEY_ORIGIN: give them one)
        env: { PATH: process.env.PATH, ARC_ENV: stage, PASSKEY_ORIGIN: 'https://app.example.com' }, stdio: 'pipe',
      })
    }
    catch (err) {
      problems.push(`${name}: the bundle does not load in a fresh Node process: ${String(err).split('\n')[0]}`)
    }
  }
  return { problems, lambdas }
}
