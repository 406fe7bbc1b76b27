// The parts of Architect's untyped dev tools that the tests and scripts call.
declare module '@architect/sandbox' {
  const sandbox: {
    start (options: { cwd?: string, quiet?: boolean, env?: Record<string, string> }): Promise<string>
    end (): Promise<string>
  }
  export default sandbox
}
declare module '@architect/inventory' {
  /** A deploy.start plugin method: gets the template, may return it changed */
  export type DeployStart = (params: { arc: unknown, cloudformation: object, dryRun: boolean, inventory: Inventory, stackName: string, stage: string }) => unknown
  export interface Inventory {
    inv: {
      app: string
      aws: { profile?: string, region?: string }
      plugins?: { _methods: { deploy?: { start?: DeployStart[] } } } | null
      _project: {
        arc: unknown
        env: {
          local: Record<string, Record<string, string | number> | null> | null
          /** Each deployed stage's variables, read from SSM with `env: true` */
          aws?: Record<string, Record<string, string> | null> | null
        }
      }
    }
  }
  function inventory (options: { cwd: string, env?: boolean, deployStage?: string, rawArc?: string }): Promise<Inventory>
  export default inventory
}
declare module '@architect/package' {
  import type { Inventory } from '@architect/inventory'
  function pkg (inventory: Inventory): object
  export default pkg
}
declare module '@architect/plugin-typescript' {
  import type { Inventory } from '@architect/inventory'
  const plugin: { deploy: { start (params: { inventory: Inventory }): Promise<void> } }
  export default plugin
}
declare module '@aws-lite/ssm' {
  const plugin: object
  export default plugin
}
