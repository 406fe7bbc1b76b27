// A deployed stage's environment variables, where `npx arc env` keeps them: SSM Parameter Store,
// one SecureString per variable, named `/<app>/<stage>/<NAME>` (@architect/env writes them so,
// and `arc deploy` reads them so). Reading goes through @architect/inventory, the reader
// `arc deploy` itself uses, so what we see is exactly what a deploy would set; nothing is parsed
// from a printout. Writing talks to SSM directly rather than through `npx arc env`, which would
// also rewrite prefs.arc with every stage's secrets.
import awsLite from '@aws-lite/client'
import ssmPlugin from '@aws-lite/ssm'
import inventory from '@architect/inventory'

export type Stage = 'staging' | 'production'

export interface StageVariables {
  /** The stage's variables, as `arc deploy` would read them now */
  read (stage: Stage): Promise<Record<string, string>>
  set (stage: Stage, name: string, value: string): Promise<void>
  remove (stage: Stage, name: string): Promise<void>
}

/** The two SSM calls we make, as the @aws-lite/ssm plugin provides them */
interface Ssm {
  PutParameter (params: { Name: string, Value: string, Type: 'SecureString', Overwrite: true }): Promise<unknown>
  DeleteParameter (params: { Name: string }): Promise<unknown>
}

function hasSsm (client: object): client is { ssm: Ssm } {
  return 'ssm' in client && typeof client.ssm === 'object' && client.ssm !== null
}

export async function stageVariables (cwd: string): Promise<StageVariables> {
  let { inv } = await inventory({ cwd })
  let client = await awsLite({ profile: inv.aws.profile, region: inv.aws.region, plugins: [ ssmPlugin ] })
  if (!hasSsm(client)) throw new Error('the @aws-lite/ssm plugin did not load')
  let { ssm } = client
  let name = (stage: Stage, variable: string) => `/${inv.app}/${stage}/${variable}`
  return {
    async read (stage) {
      let { inv: withEnv } = await inventory({ cwd, env: true })
      return withEnv._project.env.aws?.[stage] ?? {}
    },
    async set (stage, variable, value) {
      await ssm.PutParameter({ Name: name(stage, variable), Value: value, Type: 'SecureString', Overwrite: true })
    },
    async remove (stage, variable) {
      await ssm.DeleteParameter({ Name: name(stage, variable) })
    },
  }
}
