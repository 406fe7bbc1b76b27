// @ts-check
// An Architect deploy plugin (app.arc: @plugins table-access). Architect gives every Lambda one
// role, with `dynamodb:*` on every table, Scan and BatchWrite included: anyone who finds a way to
// run code in one route could read or wipe every session, and write the `passkey` table, which is
// an account takeover (IAM cannot demand the code's "only if new" condition). So each function
// gets a role of its own, allowing only the item actions its own code calls on each of our
// tables. A table not named below keeps Architect's grant. `npm run verify:deploy` builds the
// template with every deploy.start plugin, as `arc deploy` does, and checks the result; and
// test/integration/dynamodb-costs.test.ts checks that every call each route makes, in both modes,
// is one its role allows.

// Every route reads and writes its session: table mode's row (a new identity retires the old row
// with a PutItem too), cookie mode's "signed out before" time (src/shared/session/revocations.ts)
const SESSION = [ 'dynamodb:GetItem', 'dynamodb:PutItem' ]
// Signing out deletes the row
const SIGN_OUT = [ ...SESSION, 'dynamodb:DeleteItem' ]
// An owner's sessions, through the index on `_owner` (a Query, never a Scan), deleted 25 at a time
const OWNED = [ 'dynamodb:Query', 'dynamodb:BatchWriteItem' ]
// A passkey answer reads its address's count of failed answers, and counts one more if it fails
const FAILURES = [ 'dynamodb:GetItem', 'dynamodb:UpdateItem' ]
// An event of the account's activity: written with one PutItem, listed with a Query
const RECORD = [ 'dynamodb:PutItem' ]
const LIST = [ 'dynamodb:Query' ]

/**
 * The item actions each function's code calls, by Architect's logical ids for the function and
 * the tables (src/shared/session/table-store.ts, revocations.ts; src/shared/auth/accounts.ts,
 * challenges.ts, limits.ts, activity.ts). The mode is a setting read at run time, so each grant covers both
 * modes. An UpdateItem on `passkey` or `account` may change only the attributes `UPDATED` gives that function.
 * @typedef {{ SessionTable: string[], AccountTable?: string[], PasskeyTable?: string[], LimitTable?: string[], ActivityTable?: string[] }} Access
 * @type {Record<string, Access>}
 */
export const FUNCTION_ACCESS = {
  GetIndexHTTPLambda: { SessionTable: SESSION },
  PostCountHTTPLambda: { SessionTable: SESSION },
  PostCartHTTPLambda: { SessionTable: SESSION },
  PostLogoutHTTPLambda: { SessionTable: SIGN_OUT },
  GetSessionsHTTPLambda: { SessionTable: [ ...SESSION, 'dynamodb:Query' ], ActivityTable: LIST },
  GetActivityHTTPLambda: { SessionTable: SESSION, ActivityTable: LIST },
  PostSessionsEndHTTPLambda: { SessionTable: [ ...SIGN_OUT, ...OWNED ], ActivityTable: RECORD },
  PostLogoutOthersHTTPLambda: { SessionTable: [ ...SESSION, ...OWNED ], ActivityTable: RECORD },
  PostLogoutEverywhereHTTPLambda: { SessionTable: [ ...SIGN_OUT, ...OWNED ], ActivityTable: RECORD },
  // Sign-up: counted for its address; a name nobody has; adding, the account's passkeys excluded; the passkey only if its id is new (and
  // removed if the account is not made); the challenge spent in the session table
  PostPasskeysRegisterOptionsHTTPLambda: { SessionTable: SESSION, AccountTable: [ 'dynamodb:GetItem' ], PasskeyTable: [ 'dynamodb:Query' ], LimitTable: [ 'dynamodb:UpdateItem' ] },
  PostPasskeysRegisterHTTPLambda: { SessionTable: SESSION, AccountTable: [ 'dynamodb:GetItem', 'dynamodb:PutItem' ], PasskeyTable: [ 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem' ], LimitTable: FAILURES, ActivityTable: RECORD },
  PostPasskeysLoginOptionsHTTPLambda: { SessionTable: SESSION },
  // Sign-in: the passkey and its account looked up, and its use counted
  PostPasskeysLoginHTTPLambda: { SessionTable: SESSION, AccountTable: [ 'dynamodb:GetItem' ], PasskeyTable: [ 'dynamodb:GetItem', 'dynamodb:UpdateItem' ], LimitTable: FAILURES, ActivityTable: RECORD },
  // A fresh check: this account's passkey looked up, and its use counted
  PostPasskeysVerifyOptionsHTTPLambda: { SessionTable: SESSION },
  PostPasskeysVerifyHTTPLambda: { SessionTable: SESSION, PasskeyTable: [ 'dynamodb:GetItem', 'dynamodb:UpdateItem' ], LimitTable: FAILURES },
  // Your passkeys: listed through the index on `account`; one renamed (its name alone) or removed
  GetPasskeysHTTPLambda: { SessionTable: SESSION, AccountTable: [ 'dynamodb:GetItem' ], PasskeyTable: [ 'dynamodb:Query' ] },
  PostPasskeysRenameHTTPLambda: { SessionTable: SESSION, PasskeyTable: [ 'dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:UpdateItem' ], ActivityTable: RECORD },
  PostPasskeysRemoveHTTPLambda: { SessionTable: SESSION, PasskeyTable: [ 'dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:DeleteItem' ], ActivityTable: RECORD },
  // Device binding: the challenge spent in the session table
  PostSessionsBindHTTPLambda: { SessionTable: SESSION },
  PostSessionsBindRefreshHTTPLambda: { SessionTable: SESSION },
  // Recovery: the account's code checked, counted as a failure if wrong, and replaced (its hash alone)
  PostRecoverHTTPLambda: { SessionTable: SESSION, AccountTable: [ 'dynamodb:GetItem', 'dynamodb:UpdateItem' ], LimitTable: FAILURES, ActivityTable: RECORD },
  PostRecoverNewHTTPLambda: { SessionTable: SESSION, AccountTable: [ 'dynamodb:GetItem', 'dynamodb:UpdateItem' ], ActivityTable: RECORD },
}

// What an UpdateItem on `passkey` or `account` may touch, by function and table: the key, and
// what its code sets (a sign-in's or a check's `recordUse`, a rename's `renamePasskey`,
// recovery's `replaceRecovery`): never a passkey's `account` or `publicKey`, or an account's `userId`
/** @type {Record<string, { PasskeyTable?: string[], AccountTable?: string[] }>} */
export const UPDATED = {
  PostPasskeysLoginHTTPLambda: { PasskeyTable: [ 'id', 'counter', 'lastUsed' ] },
  PostPasskeysVerifyHTTPLambda: { PasskeyTable: [ 'id', 'counter', 'lastUsed' ] },
  PostPasskeysRenameHTTPLambda: { PasskeyTable: [ 'id', 'name' ] },
  PostRecoverHTTPLambda: { AccountTable: [ 'name', 'recoveryHash' ] },
  PostRecoverNewHTTPLambda: { AccountTable: [ 'name', 'recoveryHash' ] },
}
// The tables whose updates are narrowed to UPDATED's attributes
const NARROWED = [ 'PasskeyTable', 'AccountTable' ]

const OUR_TABLES = [ 'SessionTable', 'AccountTable', 'PasskeyTable', 'LimitTable', 'ActivityTable' ]

/**
 * The logical id of the table an ARN entry of a policy statement names, as @architect/package
 * writes it, if it is one of ours
 * @param {unknown} resource
 */
function tableOf (resource) {
  let sub = /** @type {{ 'Fn::Sub'?: [ string, { tablename?: { Ref?: string } } ] }} */ (resource)['Fn::Sub']
  let id = Array.isArray(sub) ? sub[1]?.tablename?.Ref : undefined
  return id && OUR_TABLES.includes(id) ? id : null
}

/**
 * @typedef {{ Effect: string, Action: string | string[], Resource: unknown, Condition?: object }} Statement
 * @typedef {{ PolicyName: string, PolicyDocument: { Statement: Statement[] } }} Policy
 * @typedef {{ Type: string, Properties: Record<string, unknown> & { Policies?: Policy[], Role?: unknown, Roles?: unknown[] } }} Resource
 * @typedef {{ Resources: Record<string, Resource> }} Template
 */

/**
 * A statement that allows anything on our tables becomes several: the same for the other tables
 * it names, and for each of ours only what `access` grants (on the table and its indexes)
 * @param {Statement} statement
 * @param {Access | null} access
 * @param {{ PasskeyTable?: string[], AccountTable?: string[] }} updatable what an UpdateItem on `passkey` or `account` may touch
 * @returns {Statement[]}
 */
function narrowed (statement, access, updatable) {
  let resources = Array.isArray(statement.Resource) ? statement.Resource : [ statement.Resource ]
  if (statement.Effect !== 'Allow' || !resources.some(tableOf)) return [ statement ]
  let others = resources.filter(resource => !tableOf(resource))
  /** @type {Statement[]} */
  let ours = Object.entries(access ?? {}).flatMap(([ table, actions ]) => {
    let Resource = resources.filter(resource => tableOf(resource) === table)
    let attributes = NARROWED.includes(table) && actions.includes('dynamodb:UpdateItem') ? updatable[/** @type {'PasskeyTable' | 'AccountTable'} */ (table)] : undefined
    let Action = actions.filter(action => !attributes || action !== 'dynamodb:UpdateItem')
    return [
      { Effect: 'Allow', Action, Resource },
      // IAM's dynamodb:Attributes narrows an UpdateItem to the attributes it names
      ...(attributes ? [ { Effect: 'Allow', Action: [ 'dynamodb:UpdateItem' ], Resource, Condition: { 'ForAllValues:StringEquals': { 'dynamodb:Attributes': attributes } } } ] : []),
    ]
  })
  return [
    ...(others.length ? [ { ...statement, Resource: others } ] : []),
    ...ours.filter(statement => /** @type {unknown[]} */ (statement.Resource).length && statement.Action.length),
  ]
}

/**
 * A copy of Architect's role, with our tables narrowed to `access` (none at all for null)
 * @param {Resource} role
 * @param {Access | null} access
 * @param {{ PasskeyTable?: string[], AccountTable?: string[] }} updatable
 * @returns {Resource}
 */
function roleWith (role, access, updatable = {}) {
  let Policies = (role.Properties.Policies ?? []).map(policy => ({
    ...policy,
    PolicyDocument: { ...policy.PolicyDocument, Statement: policy.PolicyDocument.Statement.flatMap(statement => narrowed(statement, access, updatable)) },
  }))
  return { ...role, Properties: { ...role.Properties, Policies } }
}

/** The logical id of each function's own role */
export const roleOf = (/** @type {string} */ fn) => `${fn}Role`

/**
 * The template with a role for each function, and Architect's shared role left with nothing on
 * our tables; Architect expects a deploy.start plugin to return the template
 * @param {Template} cloudformation
 * @returns {Template}
 */
function narrowTableAccess (cloudformation) {
  let role = cloudformation.Resources.Role
  if (!role) return cloudformation
  /** @type {Record<string, Resource>} */
  let Resources = { ...cloudformation.Resources, Role: roleWith(role, null) }
  let functions = Object.keys(FUNCTION_ACCESS).filter(fn => Resources[fn]?.Type === 'AWS::Serverless::Function')
  for (let fn of functions) {
    for (let table of /** @type {('PasskeyTable' | 'AccountTable')[]} */ (NARROWED)) {
      if (FUNCTION_ACCESS[fn][table]?.includes('dynamodb:UpdateItem') && !UPDATED[fn]?.[table]) throw new Error(`table-access: say in UPDATED which ${table} attributes ${fn} updates`)
    }
    Resources[roleOf(fn)] = roleWith(role, FUNCTION_ACCESS[fn], UPDATED[fn])
    Resources[fn] = { ...Resources[fn], Properties: { ...Resources[fn].Properties, Role: { 'Fn::GetAtt': [ roleOf(fn), 'Arn' ] } } }
  }
  // Policies Architect attaches to its role (reading the stage's SSM parameters) go to each new one too
  for (let [ id, resource ] of Object.entries(Resources)) {
    let roles = resource.Type === 'AWS::IAM::Policy' ? resource.Properties.Roles : undefined
    if (!roles?.some(ref => JSON.stringify(ref) === '{"Ref":"Role"}')) continue
    Resources[id] = { ...resource, Properties: { ...resource.Properties, Roles: [ ...roles, ...functions.map(fn => ({ Ref: roleOf(fn) })) ] } }
  }
  return { ...cloudformation, Resources }
}

export default {
  deploy: {
    /** @param {{ cloudformation: Template }} params */
    start ({ cloudformation }) {
      return narrowTableAccess(cloudformation)
    },
  },
}
