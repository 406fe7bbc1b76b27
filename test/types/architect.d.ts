// The parts of Architect's untyped dev tools that the tests and scripts call.
declare module '@architect/sandbox' {
  const sandbox: {
    start (options: { cwd?: string, quiet?: boolean, env?: Record<string, string> }): Promise<string>
    end (): Promise<string>
  }
  export default sandbox
}
declare module '@architect/inventory' {
  interface Inventory {
    inv: {
      _project: { env: { local: Record<string, Record<string, string | number> | null> | null } }
    }
  }
  function inventory (options: { cwd: string, env?: boolean, deployStage?: string }): Promise<Inventory>
  export default inventory
}
