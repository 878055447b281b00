import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { App } from './App.tsx';

const info = { name: 'orders-api', version: '1.0.0', environment: 'prod', database: true };
const first = { id: '1', name: 'first order', createdAt: '2026-01-02T03:04:05.000Z' };

type Route = (init: RequestInit | undefined) => { status: number; body: unknown };

/** Stands in for the backend behind CloudFront: answers by method and path, records the calls. */
function fakeBackend(routes: Record<string, Route>) {
  const calls: Array<{ method: string; url: string; body?: unknown }> = [];
  vi.stubGlobal('fetch', (url: string, init?: RequestInit) => {
    const method = init?.method ?? 'GET';
    calls.push({ method, url, body: typeof init?.body === 'string' ? JSON.parse(init.body) : undefined });
    const route = routes[`${method} ${url}`];
    const { status, body } = route ? route(init) : { status: 404, body: { error: 'not found' } };
    return Promise.resolve(new Response(JSON.stringify(body), { status }));
  });
  return calls;
}

afterEach(cleanup);

describe('App', () => {
  it('shows the service and its items, read through relative /api paths', async () => {
    const calls = fakeBackend({
      'GET /api/info': () => ({ status: 200, body: info }),
      'GET /api/items': () => ({ status: 200, body: { items: [first] } }),
    });
    render(<App />);

    expect(await screen.findByRole('heading', { name: 'orders-api' })).toBeTruthy();
    expect(await screen.findByText('first order')).toBeTruthy();
    expect(calls.map(call => `${call.method} ${call.url}`)).toEqual(['GET /api/info', 'GET /api/items']);
  });

  it('adds an item and shows it at the top', async () => {
    const calls = fakeBackend({
      'GET /api/info': () => ({ status: 200, body: info }),
      'GET /api/items': () => ({ status: 200, body: { items: [first] } }),
      'POST /api/items': () => ({
        status: 201,
        body: { item: { id: '2', name: 'second order', createdAt: '2026-01-03T00:00:00.000Z' } },
      }),
    });
    render(<App />);
    await screen.findByText('first order');

    fireEvent.change(screen.getByLabelText('New item'), { target: { value: 'second order' } });
    fireEvent.click(screen.getByRole('button', { name: 'Add' }));

    await screen.findByText('second order');
    expect(screen.getAllByRole('listitem').map(item => item.textContent)).toEqual([
      expect.stringContaining('second order'),
      expect.stringContaining('first order'),
    ]);
    expect(calls.at(-1)).toEqual({ method: 'POST', url: '/api/items', body: { name: 'second order' } });
  });

  it('says why when the API refuses an item', async () => {
    fakeBackend({
      'GET /api/info': () => ({ status: 200, body: info }),
      'GET /api/items': () => ({ status: 200, body: { items: [] } }),
      'POST /api/items': () => ({ status: 503, body: { error: 'database unavailable' } }),
    });
    render(<App />);
    await screen.findByText('No items yet.');

    fireEvent.change(screen.getByLabelText('New item'), { target: { value: 'x' } });
    fireEvent.click(screen.getByRole('button', { name: 'Add' }));

    expect((await screen.findByRole('alert')).textContent).toBe('Not saved: database unavailable');
  });

  it('says when the service cannot be reached', async () => {
    fakeBackend({ 'GET /api/info': () => ({ status: 502, body: 'Bad Gateway' }) });
    render(<App />);
    expect((await screen.findByRole('alert')).textContent).toBe(
      'The service is not reachable: the API answered HTTP 502',
    );
  });

  it('offers no items when the service has no database', async () => {
    const calls = fakeBackend({ 'GET /api/info': () => ({ status: 200, body: { ...info, database: false } }) });
    render(<App />);
    expect(await screen.findByText('This service has no database.')).toBeTruthy();
    expect(calls).toHaveLength(1);
  });
});
