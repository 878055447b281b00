/** What GET /api/info answers. */
export interface ServiceInfo {
  name: string;
  version: string;
  environment: string;
  /** False when the service was generated without a database: there are no items then. */
  database: boolean;
}

export interface Item {
  id: string;
  name: string;
  createdAt: string;
}

export class ApiError extends Error {
  readonly status: number;

  constructor(status: number, message: string) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
  }
}

/**
 * A path relative to the page's origin: CloudFront serves this app and sends /api/* to the load
 * balancer, so the browser never needs the backend's own address (and no CORS is involved).
 */
async function request<T>(path: string, init: RequestInit = {}): Promise<T> {
  const response = await fetch(`/api${path}`, {
    ...init,
    headers: { accept: 'application/json', ...(init.body ? { 'content-type': 'application/json' } : {}) },
  });
  const body = (await response.json().catch(() => undefined)) as { error?: string } | undefined;
  if (!response.ok) {
    throw new ApiError(response.status, body?.error ?? `the API answered HTTP ${response.status}`);
  }
  return body as T;
}

export const api = {
  info: () => request<ServiceInfo>('/info'),
  listItems: async () => (await request<{ items: Item[] }>('/items')).items,
  createItem: async (name: string) =>
    (await request<{ item: Item }>('/items', { method: 'POST', body: JSON.stringify({ name }) })).item,
};
