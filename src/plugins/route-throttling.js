// @ts-check
// An Architect deploy plugin (app.arc: @plugins route-throttling). API Gateway's own lever on a
// flood: route throttling on the HTTP API's stage, which Architect emits as
// `AWS::Serverless::HttpApi` (it takes `RouteSettings`). Past a route's rate, API Gateway answers
// 429 itself, and no Lambda runs, so no DynamoDB call is made and nothing is billed but the request.
//
// The limit is shared by every caller: one flooder can use it up for everyone, which is why the
// app also limits each address (src/shared/auth/limits.ts). Each figure is per route, per second,
// for the whole stage. `npm run verify:deploy` checks that the template carries them.

/**
 * The one place these figures live. The rate is the steady requests per second; the burst, how
 * many may arrive at once. A person signs up or in a few times a day; the figures leave room for a
 * busy launch day, not for a script.
 * @type {Record<string, { ThrottlingBurstLimit: number, ThrottlingRateLimit: number }>}
 */
export const ROUTE_THROTTLING = {
  'POST /passkeys/register/options': { ThrottlingBurstLimit: 20, ThrottlingRateLimit: 10 },
  'POST /passkeys/register': { ThrottlingBurstLimit: 20, ThrottlingRateLimit: 10 },
  'POST /passkeys/login/options': { ThrottlingBurstLimit: 50, ThrottlingRateLimit: 25 },
  'POST /passkeys/login': { ThrottlingBurstLimit: 50, ThrottlingRateLimit: 25 },
  'POST /passkeys/verify/options': { ThrottlingBurstLimit: 50, ThrottlingRateLimit: 25 },
  'POST /passkeys/verify': { ThrottlingBurstLimit: 50, ThrottlingRateLimit: 25 },
}

/**
 * @typedef {{ Type: string, Properties: Record<string, unknown> }} Resource
 * @typedef {{ Resources: Record<string, Resource> }} Template
 */

export default {
  deploy: {
    /**
     * The template with the figures on each HTTP API (Architect makes one, `HTTP`); Architect
     * expects a deploy.start plugin to return the template
     * @param {{ cloudformation: Template }} params
     * @returns {Template}
     */
    start ({ cloudformation }) {
      let Resources = Object.fromEntries(Object.entries(cloudformation.Resources).map(([ id, resource ]) => [
        id,
        resource.Type === 'AWS::Serverless::HttpApi'
          ? { ...resource, Properties: { ...resource.Properties, RouteSettings: { .../** @type {object} */ (resource.Properties.RouteSettings ?? {}), ...ROUTE_THROTTLING } } }
          : resource,
      ]))
      return { ...cloudformation, Resources }
    },
  },
}
