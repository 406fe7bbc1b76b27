// The CloudFormation template `npx arc deploy` would send, built offline: @architect/package, then
// every deploy.start plugin in app.arc's order (the TypeScript build, then ours), each given the
// template and returning it changed, as @architect/deploy does (src/sam/plugins/start.js there).
import type { Inventory } from '@architect/inventory'
import pkg from '@architect/package'
import type { Template } from './template-checks.ts'

export async function deployTemplate (inventory: Inventory, stage: string): Promise<Template> {
  let cloudformation = pkg(inventory) as Template
  let plugins = inventory.inv.plugins?._methods.deploy?.start ?? []
  let stackName = `${inventory.inv.app}-${stage}`.replace(/(^|-)(\w)/g, (_, _dash: string, letter: string) => letter.toUpperCase())
  for (let plugin of plugins) {
    let result = await plugin({ arc: inventory.inv._project.arc, cloudformation, dryRun: true, inventory, stackName, stage })
    if (result) cloudformation = result as Template
  }
  return cloudformation
}
