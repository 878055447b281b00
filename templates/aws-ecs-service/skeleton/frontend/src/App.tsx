import { useEffect, useState, type FormEvent } from 'react';
import { api, type Item, type ServiceInfo } from './api.ts';

type Load<T> = { state: 'loading' } | { state: 'failed'; message: string } | { state: 'ready'; value: T };

const failed = (error: unknown) => ({ state: 'failed' as const, message: (error as Error).message });

export function App() {
  const [info, setInfo] = useState<Load<ServiceInfo>>({ state: 'loading' });

  useEffect(() => {
    api.info().then(
      value => setInfo({ state: 'ready', value }),
      (error: unknown) => setInfo(failed(error)),
    );
  }, []);

  if (info.state === 'loading')
    return (
      <main>
        <p>Loading…</p>
      </main>
    );
  if (info.state === 'failed') {
    return (
      <main>
        <p role="alert">The service is not reachable: {info.message}</p>
      </main>
    );
  }
  return (
    <main>
      <header>
        <h1>{info.value.name}</h1>
        <p className="muted">
          {info.value.environment} · version {info.value.version}
        </p>
      </header>
      {info.value.database ? <Items /> : <p>This service has no database.</p>}
    </main>
  );
}

function Items() {
  const [items, setItems] = useState<Load<Item[]>>({ state: 'loading' });
  const [name, setName] = useState('');
  const [saveError, setSaveError] = useState<string>();

  useEffect(() => {
    api.listItems().then(
      value => setItems({ state: 'ready', value }),
      (error: unknown) => setItems(failed(error)),
    );
  }, []);

  async function add(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setSaveError(undefined);
    try {
      const item = await api.createItem(name);
      setItems(current => ({ state: 'ready', value: [item, ...(current.state === 'ready' ? current.value : [])] }));
      setName('');
    } catch (error) {
      setSaveError((error as Error).message);
    }
  }

  return (
    <section aria-labelledby="items-heading">
      <h2 id="items-heading">Items</h2>
      <form onSubmit={event => void add(event)}>
        <label>
          New item <input value={name} onChange={event => setName(event.target.value)} maxLength={200} required />
        </label>
        <button type="submit">Add</button>
      </form>
      {saveError && <p role="alert">Not saved: {saveError}</p>}
      {items.state === 'loading' && <p>Loading…</p>}
      {items.state === 'failed' && <p role="alert">Items could not be loaded: {items.message}</p>}
      {items.state === 'ready' &&
        (items.value.length === 0 ? (
          <p className="muted">No items yet.</p>
        ) : (
          <ul>
            {items.value.map(item => (
              <li key={item.id}>
                {item.name} <time dateTime={item.createdAt}>{new Date(item.createdAt).toLocaleString()}</time>
              </li>
            ))}
          </ul>
        ))}
    </section>
  );
}
