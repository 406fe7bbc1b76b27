// @ts-check
// An Architect deploy plugin (app.arc: @plugins session-table-access). Architect's default role
// gives every Lambda `dynamodb:*` on every table, Scan and BatchWrite included: anyone who finds a
// way to run code in one route could read or wipe every session. The session wrapper needs three
// item actions on the session table, so the role gets exactly those there. Other tables keep
// Architect's grant. `npm run verify:deploy` builds the template with every deploy.start plugin,
// as `arc deploy` does, and checks the result.

/** The item actions src/shared/session/table-store.ts calls: load, save, sign-out and new identity */
export const SESSION_TABLE_ACTIONS = [ 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem' ]
const SESSION_TABLE = 'SessionTable' // Architect's logical id for the `session` table in @tables

/** @param {unknown} resource an ARN entry of a policy statement, as @architect/package writes it */
function isSessionTable (resource) {
  let sub = /** @type {{ 'Fn::Sub'?: [ string, { tablename?: { Ref?: string } } ] }} */ (resource)['Fn::Sub']
  return Array.isArray(sub) && sub[1]?.tablename?.Ref === SESSION_TABLE
}

/**
 * @typedef {{ Effect: string, Action: string | string[], Resource: unknown }} Statement
 * @typedef {{ PolicyName: string, PolicyDocument: { Statement: Statement[] } }} Policy
 * @typedef {{ Resources: Record<string, { Type: string, Properties: { Policies?: Policy[] } }> }} Template
 */

/**
 * A statement that allows anything on the session table becomes two: the same for the other
 * tables it names, and the wrapper's item actions alone for the session table
 * @param {Statement} statement
 * @returns {Statement[]}
 */
function narrowed (statement) {
  let resources = Array.isArray(statement.Resource) ? statement.Resource : [ statement.Resource ]
  let session = resources.filter(isSessionTable)
  if (statement.Effect !== 'Allow' || session.length === 0) return [ statement ]
  let others = resources.filter(resource => !isSessionTable(resource))
  return [
    ...(others.length ? [ { ...statement, Resource: others } ] : []),
    { Effect: 'Allow', Action: SESSION_TABLE_ACTIONS, Resource: session },
  ]
}

/**
 * The template with the role narrowed; Architect expects a deploy.start plugin to return it
 * @param {Template} cloudformation
 * @returns {Template}
 */
function narrowSessionTableAccess (cloudformation) {
  let role = cloudformation.Resources.Role
  if (!cloudformation.Resources[SESSION_TABLE] || !role) return cloudformation
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
      return narrowSessionTableAccess(cloudformation)
    },
  },
}
