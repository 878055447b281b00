import type { Pool } from 'pg';

export interface Item {
  id: string;
  name: string;
  createdAt: string;
}

export interface ItemStore {
  /** The newest items first. */
  list(limit: number): Promise<Item[]>;
  create(name: string): Promise<Item>;
}

export const MAX_NAME_LENGTH = 200;

interface ItemRow {
  id: string;
  name: string;
  created_at: Date;
}

const toItem = (row: ItemRow): Item => ({
  id: row.id,
  name: row.name,
  createdAt: row.created_at.toISOString(),
});

/** The items table comes from migrations/; node-postgres returns its bigint ids as strings. */
export function createPgItemStore(pool: Pick<Pool, 'query'>): ItemStore {
  return {
    async list(limit) {
      const { rows } = await pool.query<ItemRow>(
        'SELECT id, name, created_at FROM items ORDER BY created_at DESC, id DESC LIMIT $1',
        [limit],
      );
      return rows.map(toItem);
    },
    async create(name) {
      const { rows } = await pool.query<ItemRow>(
        'INSERT INTO items (name) VALUES ($1) RETURNING id, name, created_at',
        [name],
      );
      const [row] = rows;
      if (!row) throw new Error('INSERT ... RETURNING returned no row');
      return toItem(row);
    },
  };
}

/** Checks a request body for a new item: `{ "name": "..." }`, 1-200 characters once trimmed. */
export function parseNewItem(body: unknown): { name: string } | { error: string } {
  const name = typeof body === 'object' && body !== null ? (body as { name?: unknown }).name : undefined;
  if (typeof name !== 'string') return { error: 'name must be a string' };
  const trimmed = name.trim();
  if (trimmed.length === 0) return { error: 'name must not be empty' };
  if (trimmed.length > MAX_NAME_LENGTH) return { error: `name must be at most ${MAX_NAME_LENGTH} characters` };
  return { name: trimmed };
}
