import { create } from 'zustand';
import { errorMessage } from '../lib/format';

export interface Notice {
  id: number;
  tone: 'error' | 'info';
  text: string;
}

interface NoticeState {
  notices: Notice[];
  push(tone: Notice['tone'], text: string): void;
  dismiss(id: number): void;
}

let nextId = 1;

/** Short-lived messages for failed calls and confirmations. */
export const useNotices = create<NoticeState>((set) => ({
  notices: [],
  push(tone, text) {
    const id = nextId++;
    set((state) => ({ notices: [...state.notices.slice(-3), { id, tone, text }] }));
  },
  dismiss(id) {
    set((state) => ({ notices: state.notices.filter((notice) => notice.id !== id) }));
  },
}));

/** Runs an API call; a failure becomes an error notice instead of an unhandled rejection. */
export async function attempt<T>(action: () => Promise<T>): Promise<T | undefined> {
  try {
    return await action();
  } catch (error) {
    useNotices.getState().push('error', errorMessage(error));
    return undefined;
  }
}
