import { useEffect } from 'react';
import { getBridge } from './api/bridge';
import { useAppStore } from './stores/app-store';

export function App() {
  const info = useAppStore((state) => state.info);
  const connectionError = useAppStore((state) => state.connectionError);
  const loadInfo = useAppStore((state) => state.loadInfo);
  const appendLog = useAppStore((state) => state.appendLog);

  useEffect(() => {
    void loadInfo();
    return getBridge().onEvent((event) => {
      if (event.name === 'log') appendLog(event.payload);
    });
  }, [loadInfo, appendLog]);

  return (
    <div className="app">
      <header className="app-header">
        <h1>WINC Cert Studio</h1>
        <span className="app-status" data-testid="app-status">
          {connectionError ? `Backend unreachable: ${connectionError}` : info ? `${info.version} · ${info.mode} mode` : 'Connecting…'}
        </span>
      </header>
      <main className="app-main" />
    </div>
  );
}
