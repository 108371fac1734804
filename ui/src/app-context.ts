// What every view needs: the API client, the controller's status, the shared events and a way to
// tell the user something happened.
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { ApiClient } from './lib/api-client.ts';
import type { NodeStatus } from './lib/api-types.ts';
import type { EventStore } from './lib/event-store.ts';

export type NoticeTone = 'success' | 'error' | 'info';

export interface AppContextValue {
  api: ApiClient;
  status: NodeStatus;
  events: EventStore;
  notify(message: string, tone?: NoticeTone): void;
}

export const AppContext = createContext<AppContextValue | null>(null);

export function useApp(): AppContextValue {
  const value = useContext(AppContext);
  if (!value) throw new Error('useApp outside the signed-in app');
  return value;
}
