// A React app that embeds the dashboard through @fg/react, as an integrator would. The tests
// build it with React 19 and again with React 18 (installed in ../react18).
import { StrictMode, useCallback, useState, version } from 'react';
import { createRoot } from 'react-dom/client';
import { FgDashboard, FgDashboardProvider, type FgMarkReadEvent } from '@fg/react';
import '@fg/dashboard-elements/themes/light.css';

declare global {
  interface Window {
    /** Where the backend is and the session's token, as the host app's own login gave them. */
    FG_HOST: { endpoint: string; token: string };
  }
}

function App() {
  const [markedRead, setMarkedRead] = useState<string[]>([]);
  const getToken = useCallback(() => window.FG_HOST.token, []);
  return (
    <main>
      <h1>My practice</h1>
      <FgDashboardProvider
        endpoint={window.FG_HOST.endpoint}
        getToken={getToken}
        loginUrl="/login"
        onFgSessionExpired={(event) => event.preventDefault()}
      >
        <FgDashboard
          onFgMarkRead={(event: FgMarkReadEvent) => setMarkedRead((ids) => [...ids, event.detail.messageId])}
        />
      </FgDashboardProvider>
      <p>
        Marked read from React: <output aria-label="Marked read">{markedRead.join(', ')}</output>
      </p>
    </main>
  );
}

document.documentElement.dataset.react = version;
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
