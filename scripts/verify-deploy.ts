// npm run verify:deploy: builds what `npx arc deploy` would deploy, for staging and production,
// without AWS (`arc deploy --dry-run` still calls AWS), and checks it. Exits 1 on any problem.
import { existsSync, readdirSync } from 'node:fs'
import { homedir } from 'node:os'
import inventory from '@architect/inventory'
import pkg from '@architect/package'
import { FUNCTION_ACCESS, UPDATED } from '../src/plugins/table-access.js'
import { ROUTE_THROTTLING } from '../src/plugins/route-throttling.js'
import { deployTemplate } from './lib/deploy-template.ts'
import { cfnLint, checkLambdas, checkModeVariables, checkRoutes, checkSessionTable, checkFunctionAccess, checkExpiringTables, checkRouteThrottling, checkSessionVariable, routeOf, type Template } from './lib/template-checks.ts'

const root = new URL('..', import.meta.url).pathname
// Every handler folder must be a deployed route; this catches a handler app.arc forgot
const routes = readdirSync(`${root}src/http`).map(routeOf)

// With AWS credentials, each stage's variables are read from SSM as `arc deploy` reads them, so
// the template below is the one a deploy would send; without, the variables are left out
const withAws = Boolean(process.env.AWS_PROFILE || process.env.AWS_ACCESS_KEY_ID || existsSync(`${homedir()}/.aws/credentials`))

let failed = false
for (let stage of [ 'staging', 'production' ]) {
  let inv = await inventory({ cwd: root, deployStage: stage, env: withAws })
  // The final template: @architect/package, then every deploy.start plugin (the TypeScript build among them)
  let template = await deployTemplate(inv, stage)
  let lambdas = checkLambdas(template, stage)
  // Architect's guide sets SESSION_TABLE_NAME (`npx arc env -e <stage> -a SESSION_TABLE_NAME …`);
  // `arc deploy` reads those variables into the inventory, as here, and each Lambda must get the
  // value as ARC_SESSION_TABLE_NAME, the name the wrapper reads first
  Object.assign(inv.inv._project.env, { aws: { [stage]: { SESSION_TABLE_NAME: 'session' } } })
  let guided = checkSessionVariable(pkg(inv) as Template, 'session')
  let lint = cfnLint(template)
  let problems = [
    ...checkSessionTable(template), ...checkExpiringTables(template), ...checkRoutes(template, routes), ...lambdas.problems,
    ...checkModeVariables(template, stage), ...checkFunctionAccess(template, FUNCTION_ACCESS, UPDATED),
    ...checkRouteThrottling(template, ROUTE_THROTTLING), ...guided,
    ...(lint?.problems ?? (process.env.CFN_LINT_REQUIRED ? [ 'cfn-lint is not installed (pip install cfn-lint)' ] : [])),
  ]

  console.log(`\n${stage}: template ${JSON.stringify(template).length} bytes, ${lambdas.lambdas.length} Lambdas`)
  for (let { name, bundleBytes } of lambdas.lambdas) console.log(`  ${name.padEnd(22)} ${(bundleBytes / 1024).toFixed(1)} KB`)
  console.log(withAws ? `  ${stage}'s variables: read from SSM, as arc deploy reads them` : `  ${stage}'s variables: not read (no AWS credentials here); with them, the mode variables are checked too`)
  console.log(lint ? `  cfn-lint: ${lint.problems.length} errors, ${lint.warnings.length} warnings${lint.warnings.map(w => `\n    warning ${w}`).join('')}` : '  SKIPPED cfn-lint: not installed (pip install cfn-lint)')
  for (let problem of problems) console.log(`  PROBLEM: ${problem}`)
  if (problems.length === 0) console.log(`  ok: session table of its own (PAY_PER_REQUEST, _idx S, TTL on _ttl), limit and activity tables with TTL on _ttl, ${routes.length} routes, nodejs22.x, 10 s timeout, bundles and architect-functions.cjs load${stage === 'production' ? ', no source maps' : ''}, SESSION_TABLE_NAME reaches every Lambda as ARC_SESSION_TABLE_NAME, each function has a role of its own, allowing on each table only the item actions its code calls:${Object.entries(FUNCTION_ACCESS).map(([ fn, access ]) => `\n    ${fn.replace('HTTPLambda', '').padEnd(26)} ${Object.entries(access).map(([ table, actions ]) => `${table.replace('Table', '')}: ${actions.map(a => a.replace('dynamodb:', '')).join(' ')}`).join('; ')}`).join('')}\n  ok: API Gateway throttles ${Object.entries(ROUTE_THROTTLING).map(([ route, { ThrottlingRateLimit, ThrottlingBurstLimit } ]) => `${route} at ${ThrottlingRateLimit}/s (burst ${ThrottlingBurstLimit})`).join(', ')}`)
  failed ||= problems.length > 0
}
process.exitCode = failed ? 1 : 0
