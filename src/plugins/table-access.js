// @ts-check
// An Architect deploy plugin (app.arc: @plugins table-access). Architect's default role gives
// every Lambda `dynamodb:*` on every table, Scan and BatchWrite included: anyone who finds a way
// to run code in one route could read or wipe every session and every account. The code needs a
// few item actions on each table, so the role gets exactly those there. A table not named below
// keeps Architect's grant. `npm run verify:deploy` builds the template with every deploy.start
// plugin, as `arc deploy` does, and checks the result.

/**
 * The item actions each table's code calls, by Architect's logical id for the table in @tables:
 * - SessionTable: src/shared/session/table-store.ts (load, save, sign-out, new identity, and an
 *   owner's sessions through the index on `_owner`: Query)
 * - AccountTable: src/shared/auth/accounts.ts (look up, and create under a name nobody has)
 * - PasskeyTable: src/shared/auth/accounts.ts (look up, register, count a use, drop an orphan)
 * @type {Record<string, string[]>}
 */
export const TABLE_ACTIONS = {
  SessionTable: [ 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem', 'dynamodb:Query' ],
  AccountTable: [ 'dynamodb:GetItem', 'dynamodb:PutItem' ],
  PasskeyTable: [ 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem' ],
}

/**
 * The logical id of the table an ARN entry of a policy statement names, as @architect/package
 * writes it, if it is one of ours
 * @param {unknown} resource
 */
function tableOf (resource) {
  let sub = /** @type {{ 'Fn::Sub'?: [ string, { tablename?: { Ref?: string } } ] }} */ (resource)['Fn::Sub']
  let id = Array.isArray(sub) ? sub[1]?.tablename?.Ref : undefined
  return id && Object.hasOwn(TABLE_ACTIONS, id) ? id : null
}

/**
 * @typedef {{ Effect: string, Action: string | string[], Resource: unknown }} Statement
 * @typedef {{ PolicyName: string, PolicyDocument: { Statement: Statement[] } }} Policy
 * @typedef {{ Resources: Record<string, { Type: string, Properties: { Policies?: Policy[] } }> }} Template
 */

/**
 * A statement that allows anything on our tables becomes several: the same for the other tables
 * it names, and for each of ours its own actions alone (on the table and its indexes)
 * @param {Statement} statement
 * @returns {Statement[]}
 */
function narrowed (statement) {
  let resources = Array.isArray(statement.Resource) ? statement.Resource : [ statement.Resource ]
  if (statement.Effect !== 'Allow' || !resources.some(tableOf)) return [ statement ]
  let others = resources.filter(resource => !tableOf(resource))
  let ours = Object.entries(TABLE_ACTIONS).map(([ table, Action ]) => ({
    Effect: 'Allow', Action, Resource: resources.filter(resource => tableOf(resource) === table),
  }))
  return [
    ...(others.length ? [ { ...statement, Resource: others } ] : []),
    ...ours.filter(statement => statement.Resource.length),
  ]
}

/**
 * The template with the role narrowed; Architect expects a deploy.start plugin to return it
 * @param {Template} cloudformation
 * @returns {Template}
 */
function narrowTableAccess (cloudformation) {
  let role = cloudformation.Resources.Role
  if (!role) return cloudformation
  let Policies = (role.Properties.Policies ?? []).map(policy => ({
    ...policy,
    PolicyDocument: { ...policy.PolicyDocument, Statement: policy.PolicyDocument.Statement.flatMap(narrowed) },
  }))
  return { ...cloudformation, Resources: { ...cloudformation.Resources, Role: { ...role, Properties: { ...role.Properties, Policies } } } }
}

export default {
  deploy: {
    /** @param {{ cloudformation: Template }} params */
    start ({ cloudformation }) {
      return narrowTableAccess(cloudformation)
    },
  },
}
