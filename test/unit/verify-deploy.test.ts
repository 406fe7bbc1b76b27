// The offline deploy check must catch a broken app.arc, and say where to look.
import test from 'tape'
import { spawn } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import inventory from '@architect/inventory'
import pkg from '@architect/package'
import tableAccess, { FUNCTION_ACCESS, UPDATED } from '../../src/plugins/table-access.js'
import routeThrottling, { ROUTE_THROTTLING } from '../../src/plugins/route-throttling.js'
import { cfnLint, checkModeVariables, checkRoutes, checkSessionTable, checkFunctionAccess, checkExpiringTables, checkRouteThrottling, checkSessionVariable, routeOf, type Template } from '../../scripts/lib/template-checks.ts'
import { fakeSsm } from '../helpers/fake-ssm.ts'

const root = new URL('../..', import.meta.url).pathname
const appArc = readFileSync(`${root}app.arc`, 'utf8')
// One Lambda per handler folder
const LAMBDAS = readdirSync(`${root}src/http`).length

async function templateFor (rawArc: string): Promise<Template> {
  return pkg(await inventory({ cwd: root, rawArc, deployStage: 'production' })) as Template
}

test('the real app.arc passes the session table check', async t => {
  t.deepEqual(checkSessionTable(await templateFor(appArc)), [], 'the app\'s own session table passes')
})

test('a TTL attribute named anything but `_ttl` fails, pointing at the attribute in app.arc', async t => {
  t.ok(appArc.includes('_ttl TTL'), 'app.arc declares _ttl TTL')
  let problems = checkSessionTable(await templateFor(appArc.replace('_ttl TTL', 'ttl TTL')))
  t.equal(problems.length, 1, 'a TTL on the wrong attribute is one problem')
  t.match(problems[0], /TTL is on ttl; it must be `_ttl TTL` in app.arc \(@tables session\)/, 'which names the attribute and the fix')
})

test('a limit or activity table without `_ttl TTL` fails: its rows would never be deleted', async t => {
  t.deepEqual(checkExpiringTables(await templateFor(appArc)), [], 'the real app.arc passes')
  for (let [ table, key ] of [ [ 'limit', 'key *String' ], [ 'activity', 'account *String\n  id **String' ] ]) {
    let without = appArc.replace(`${table}\n  ${key}\n  _ttl TTL\n`, `${table}\n  ${key}\n`)
    t.notEqual(without, appArc, `app.arc declares the ${table} table as expected`)
    t.deepEqual(checkExpiringTables(await templateFor(without)), [ `${table} table: no TTL on \`_ttl\`; declare it in app.arc (@tables ${table}: \`_ttl TTL\`), or its rows are never deleted` ], 'without it, one problem saying what to declare')
  }
})

test('a session table keyed on anything but `_idx *String` fails', async t => {
  let problems = checkSessionTable(await templateFor(appArc.replace('_idx *String', 'id *String')))
  t.match(problems.join('\n'), /hash key is id \(S\); it must be `_idx \*String`/, 'a wrong hash key is named, with the fix')
})

test('each stage gets a table of its own: a session table with a fixed name fails', async t => {
  let template = await templateFor(appArc)
  let table = template.Resources.SessionTable
  t.equal(table.Properties.TableName, undefined, 'the real template lets CloudFormation name the table per stack')
  let shared = { Resources: { ...template.Resources, SessionTable: { ...table, Properties: { ...table.Properties, TableName: 'sessions' } } } }
  t.match(checkSessionTable(shared).join('\n'), /fixed TableName, so every stage would share one table/, 'a fixed TableName is refused: every stage would share it')
})

test('a handler folder without its route in app.arc fails', async t => {
  t.equal(routeOf('get-index'), 'GET /', 'get-index is GET /')
  t.equal(routeOf('post-count'), 'POST /count', 'post-count is POST /count')
  t.equal(routeOf('post-passkeys-login-options'), 'POST /passkeys/login/options', 'each - of a folder name is a / of the path')
  let template = await templateFor(appArc.replace('post /cart\n', ''))
  t.deepEqual(checkRoutes(template, [ 'GET /', 'POST /cart' ]), [ 'route POST /cart is missing from app.arc @http' ], 'a handler folder missing from app.arc is named')
})

async function withVariables (variables: Record<string, string>): Promise<Template> {
  let inv = await inventory({ cwd: root, rawArc: appArc, deployStage: 'production' })
  Object.assign(inv.inv._project.env, { aws: { production: variables } })
  return pkg(inv) as Template
}

test('SESSION_TABLE_NAME set for a stage reaches every Lambda as ARC_SESSION_TABLE_NAME, unless ARC_SESSION_TABLE_NAME is set too', async t => {
  t.deepEqual(checkSessionVariable(await withVariables({ SESSION_TABLE_NAME: 'arc-sessions-production-session' }), 'arc-sessions-production-session'), [], 'SESSION_TABLE_NAME reaching every Lambda passes')
  let both = checkSessionVariable(await withVariables({ SESSION_TABLE_NAME: 'session', ARC_SESSION_TABLE_NAME: 'jwe' }), 'session')
  t.equal(both.length, LAMBDAS, 'ARC_SESSION_TABLE_NAME wins, as the wrapper and @architect/functions read it (one problem per Lambda)')
  t.match(both[0], /ARC_SESSION_TABLE_NAME is jwe, expected session/, 'the two mode variables disagreeing is named')
})

test('mode variables that disagree are a problem for every Lambda, with the commands that fix it', async t => {
  let problems = checkModeVariables(await withVariables({ ARC_SESSION_TABLE_NAME: 'session', SESSION_TABLE_NAME: 'jwe' }), 'production')
  t.equal(problems.length, LAMBDAS, 'one per Lambda')
  t.match(problems.find(p => p.startsWith('GetIndexHTTPLambda')) ?? '', /^GetIndexHTTPLambda: ARC_SESSION_TABLE_NAME is "session" but SESSION_TABLE_NAME is "jwe".*npm run setup:env -- production --table/, 'a Lambda with the wrong mode is named')
  t.deepEqual(checkModeVariables(await withVariables({ SESSION_TABLE_NAME: 'session' }), 'production'), [], 'the guide\'s variable alone is fine')
})

// npm test runs the whole deploy check only here: production's variables agree, so its template
// must pass every check, while staging's disagree and must fail
test('npm run verify:deploy reads the stages\' variables from SSM when it can: a stage whose mode variables disagree fails, the real template passes every check', async t => {
  let ssm = await fakeSsm({
    '/arc-sessions/staging/SESSION_TABLE_NAME': 'jwe', '/arc-sessions/staging/ARC_SESSION_TABLE_NAME': 'session',
    '/arc-sessions/production/SESSION_TABLE_NAME': 'session',
  })
  let child = spawn(process.execPath, [ 'scripts/verify-deploy.ts' ], { cwd: root, env: { ...process.env, ...ssm.env }, stdio: [ 'ignore', 'pipe', 'inherit' ] })
  let output = ''
  child.stdout.on('data', chunk => { output += String(chunk) })
  let code = await new Promise(resolve => child.on('close', resolve))
  await ssm.close()
  let [ staging, production ] = output.split('\nproduction:')
  t.equal(code, 1, 'it exits 1')
  t.match(staging, /staging's variables: read from SSM, as arc deploy reads them/, 'it read staging\'s variables')
  t.match(staging, /PROBLEM: GetIndexHTTPLambda: ARC_SESSION_TABLE_NAME is "session" but SESSION_TABLE_NAME is "jwe"/, 'and names the problem')
  t.match(production, /production's variables: read from SSM/, 'it read production\'s variables')
  t.doesNotMatch(production, /PROBLEM/, 'production, whose variables agree, has no problem')
  t.match(production, /ok: session table of its own .*no source maps, SESSION_TABLE_NAME reaches every Lambda/, 'and passes every check, its bundles loaded')
  t.match(production, /ok: API Gateway throttles POST \/passkeys\/register\/options at 10\/s \(burst 20\)/, 'the route throttling among them')
})

test('the table-access plugin gives each function a role of its own, with only its code\'s item actions on each of the app\'s tables; other tables keep Architect\'s grant', async t => {
  let plain = await templateFor(appArc)
  let problems = checkFunctionAccess(plain, FUNCTION_ACCESS, UPDATED).join('\n')
  t.match(problems, /Architect's shared role still allows dynamodb:\* on PasskeyTable/, 'Architect alone gives one role dynamodb:* (Scan included) on every table')
  t.match(problems, /GetIndexHTTPLambda has no role of its own/, 'shared by every function')
  let narrowed = tableAccess.deploy.start({ cloudformation: plain })
  t.deepEqual(checkFunctionAccess(narrowed, FUNCTION_ACCESS, UPDATED), [], 'with the plugin: each function its own role, with its own item actions, nothing more')
  let roleOfIndex = narrowed.Resources.GetIndexHTTPLambda.Properties.Role
  t.deepEqual(roleOfIndex, { 'Fn::GetAtt': [ 'GetIndexHTTPLambdaRole', 'Arn' ] }, 'GET / runs under its own role')
  let indexRole = JSON.stringify(narrowed.Resources.GetIndexHTTPLambdaRole)
  t.doesNotMatch(indexRole, /AccountTable|PasskeyTable/, 'which cannot touch the account or passkey tables at all')
  t.deepEqual(FUNCTION_ACCESS.GetIndexHTTPLambda, { SessionTable: [ 'dynamodb:GetItem', 'dynamodb:PutItem' ] }, 'GET /: GetItem and PutItem on the session table alone')
  t.deepEqual(UPDATED, {
    PostPasskeysLoginHTTPLambda: { PasskeyTable: [ 'id', 'counter', 'lastUsed' ] }, PostPasskeysVerifyHTTPLambda: { PasskeyTable: [ 'id', 'counter', 'lastUsed' ] }, PostPasskeysRenameHTTPLambda: { PasskeyTable: [ 'id', 'name' ] },
    PostRecoverHTTPLambda: { AccountTable: [ 'name', 'recoveryHash' ] }, PostRecoverNewHTTPLambda: { AccountTable: [ 'name', 'recoveryHash' ] },
  }, 'an UpdateItem on passkey may touch only the counter and the last use (sign-in, a check) or the name (a rename): never the account or the key; on account, only the recovery code\'s hash, never the user handle')
  let loginRole = narrowed.Resources.PostPasskeysLoginHTTPLambdaRole.Properties as { Policies: { PolicyDocument: { Statement: { Action: unknown, Condition?: unknown }[] } }[] }
  let update = loginRole.Policies.flatMap(p => p.PolicyDocument.Statement).filter(statement => JSON.stringify(statement).includes('UpdateItem') && JSON.stringify(statement).includes('PasskeyTable'))
  t.deepEqual(update.map(statement => statement.Condition), [ { 'ForAllValues:StringEquals': { 'dynamodb:Attributes': [ 'id', 'counter', 'lastUsed' ] } } ], 'and the sign-in role says so in the condition of its one UpdateItem grant on passkey')
  let recoverRole = narrowed.Resources.PostRecoverHTTPLambdaRole.Properties as typeof loginRole
  let accountUpdate = recoverRole.Policies.flatMap(p => p.PolicyDocument.Statement).filter(statement => JSON.stringify(statement).includes('UpdateItem') && JSON.stringify(statement).includes('AccountTable'))
  t.deepEqual(accountUpdate.map(statement => statement.Condition), [ { 'ForAllValues:StringEquals': { 'dynamodb:Attributes': [ 'name', 'recoveryHash' ] } } ], 'and the recovery role\'s one UpdateItem grant on account says so in its condition')
  t.ok(JSON.stringify(narrowed.Resources.ParameterStorePolicy).includes('"Ref":"PostCountHTTPLambdaRole"'), 'each new role can read the stage\'s SSM parameters, as Architect\'s can')
  t.ok(JSON.stringify(plain).includes('"dynamodb:*"'), 'and the template it was given is unchanged')
  let swapped = { ...FUNCTION_ACCESS, GetIndexHTTPLambda: FUNCTION_ACCESS.PostLogoutHTTPLambda }
  t.match(checkFunctionAccess(narrowed, swapped, UPDATED).join(''), /GetIndexHTTPLambda's role allows dynamodb:GetItem, dynamodb:PutItem on SessionTable, expected dynamodb:DeleteItem/, 'the check tells one function\'s grant from another\'s')
  let { GetIndexHTTPLambda: _left, ...missing } = FUNCTION_ACCESS
  t.match(checkFunctionAccess(narrowed, missing, UPDATED).join(''), /GetIndexHTTPLambda has no entry/, 'and a function nobody listed is a problem')

  let withNotes = await templateFor(appArc.replace('@tables\n', '@tables\nnotes\n  id *String\n\n'))
  let statements = JSON.stringify(tableAccess.deploy.start({ cloudformation: withNotes }))
  t.match(statements, /"Action":"dynamodb:\*","Resource":\[[^\]]*NotesTable/, 'another table keeps dynamodb:*')
  t.doesNotMatch(statements, /"Action":"dynamodb:\*","Resource":\[[^\]]*(SessionTable|AccountTable|PasskeyTable|LimitTable)/, 'which no longer covers the app\'s tables')
})

test('the route-throttling plugin throttles each passkey route on the HTTP API; a template without it fails the check', async t => {
  let plain = await templateFor(appArc)
  let throttled = routeThrottling.deploy.start({ cloudformation: plain })
  t.deepEqual(checkRouteThrottling(throttled, ROUTE_THROTTLING), [], 'with the plugin: every route at its figures')
  t.deepEqual(Object.keys(ROUTE_THROTTLING).sort(), [ 'POST /passkeys/login', 'POST /passkeys/login/options', 'POST /passkeys/register', 'POST /passkeys/register/options', 'POST /passkeys/verify', 'POST /passkeys/verify/options' ], 'the six passkey routes')
  let problems = checkRouteThrottling(plain, ROUTE_THROTTLING)
  t.equal(problems.length, 6, 'without it (the settings stripped): one problem per route')
  t.match(problems[0], /route POST \/passkeys\/register\/options is throttled at "nothing", expected \{"ThrottlingBurstLimit":20,"ThrottlingRateLimit":10\} \(is route-throttling under @plugins/, 'saying what to fix')
  let api = throttled.Resources.HTTP
  let loosened = { Resources: { ...throttled.Resources, HTTP: { ...api, Properties: { ...api.Properties, RouteSettings: { ...ROUTE_THROTTLING, 'POST /passkeys/login': { ThrottlingBurstLimit: 5000, ThrottlingRateLimit: 10000 } } } } } }
  t.match(checkRouteThrottling(loosened, ROUTE_THROTTLING).join(''), /route POST \/passkeys\/login is throttled at \{"ThrottlingBurstLimit":5000/, 'and so does a route at other figures')
})

test('cfn-lint, AWS\'s CloudFormation linter, finds no error in the final template, and does find a broken one', async t => {
  let final = routeThrottling.deploy.start({ cloudformation: tableAccess.deploy.start({ cloudformation: await templateFor(appArc) }) })
  let lint = cfnLint(final)
  if (!lint) {
    t.notOk(process.env.CFN_LINT_REQUIRED, 'SKIPPED: cfn-lint is not installed (CI sets CFN_LINT_REQUIRED and has it)')
    return
  }
  t.deepEqual(lint.problems, [], `no errors (${lint.warnings.length} warnings)`)
  let broken = { Resources: { ...final.Resources, SessionTable: { ...final.Resources.SessionTable, Type: 'AWS::DynamoDB::Tabel' } } }
  t.match(cfnLint(broken)?.problems.join('\n') ?? '', /cfn-lint: .*E\d{4}/, 'a misspelled resource type is an error')
})
