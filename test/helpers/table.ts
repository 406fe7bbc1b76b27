// Direct access to the session table in Sandbox's DynamoDB, to look behind the app's back.
import arc from '@architect/functions'

export type Row = Record<string, unknown> & { _idx: string }

async function db () {
  let tables = await arc.tables()
  return { client: tables._client, TableName: tables.name('session') }
}

export async function allRows (): Promise<Row[]> {
  let { client, TableName } = await db()
  let { Items } = await client.Scan({ TableName })
  return (Items ?? []) as Row[]
}

export async function getRow (id: string): Promise<Row | undefined> {
  let { client, TableName } = await db()
  let { Item } = await client.GetItem({ TableName, Key: { _idx: id }, ConsistentRead: true })
  return Item as Row | undefined
}

export async function putRow (row: Row): Promise<void> {
  let { client, TableName } = await db()
  await client.PutItem({ TableName, Item: row })
}
