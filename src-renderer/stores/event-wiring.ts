import { getBridge } from '../api/bridge';
import { useBoardStore } from './board-store';
import { useFlashStore } from './flash-store';
import { useIdentityStore } from './identity-store';
import { useLogStore } from './log-store';
import { useRunStore } from './run-store';
import { useServerStore } from './server-store';

/** Routes the backend's pushed events into the stores. Returns the unsubscribe function. */
export function wireBackendEvents(): () => void {
  return getBridge().onEvent((event) => {
    switch (event.name) {
      case 'log':
        useLogStore.getState().append(event.payload);
        break;
      case 'progress':
        useRunStore.getState().setProgress(event.payload);
        break;
      case 'board': {
        const previous = useBoardStore.getState().board;
        const wasBoard = previous && (previous.connection === 'connected' || previous.connection === 'busy') ? previous.uniqueId ?? previous.path : null;
        const isBoard = event.payload.connection === 'connected' || event.payload.connection === 'busy' ? event.payload.uniqueId ?? event.payload.path : null;
        useBoardStore.getState().setBoard(event.payload);
        // State belongs to one board: another board (or none) clears the last one's progress and result.
        if (wasBoard !== isBoard && !(isBoard === null && event.payload.connection === 'lost')) useRunStore.getState().boardChanged();
        break;
      }
      case 'server':
        useServerStore.getState().setStatus(event.payload);
        break;
      case 'serverRequest':
        useServerStore.getState().addRequest(event.payload);
        break;
      case 'flashMap':
        useFlashStore.getState().setMap(event.payload);
        break;
      case 'runFinished':
        useRunStore.getState().finish(event.payload);
        break;
      case 'station':
        useRunStore.getState().setStation(event.payload);
        break;
      case 'identity':
        useIdentityStore.getState().setView(event.payload);
        break;
    }
  });
}
