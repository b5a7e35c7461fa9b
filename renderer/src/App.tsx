import { Component, type ReactNode, useEffect } from 'react';
import { ContainerDetail } from './features/containers/ContainerDetail.tsx';
import { ContainersList } from './features/containers/ContainersList.tsx';
import { Dashboard } from './features/dashboard/Dashboard.tsx';
import { ImageDetail } from './features/images/ImageDetail.tsx';
import { ImagesList } from './features/images/ImagesList.tsx';
import { NetworksList } from './features/networks/NetworksList.tsx';
import { SettingsScreen } from './features/settings/SettingsScreen.tsx';
import { HostTerminal } from './features/terminal/HostTerminal.tsx';
import { TroubleshootScreen } from './features/troubleshoot/TroubleshootScreen.tsx';
import { VolumeFiles } from './features/volumes/VolumeFiles.tsx';
import { VolumesList } from './features/volumes/VolumesList.tsx';
import { parseRoute, type Route, useStore } from './store/index.ts';
import { ConfirmHost } from './ui/ConfirmHost.tsx';
import { Toasts } from './ui/Toasts.tsx';

const pollMs = 2000;

/** Never a blank screen: a render error shows what happened and a way back. */
class ErrorBoundary extends Component<{ children: ReactNode }, { error: Error | null }> {
  override state = { error: null as Error | null };
  static getDerivedStateFromError(error: Error) {
    return { error };
  }
  override render() {
    if (!this.state.error) return this.props.children;
    return (
      <div className="error-banner" role="alert">
        <strong>Something went wrong:</strong> {this.state.error.message}
        <div>
          <button type="button" onClick={() => this.setState({ error: null })}>
            Try again
          </button>
        </div>
      </div>
    );
  }
}

const nav: { route: Route; label: string }[] = [
  { route: { screen: 'dashboard' }, label: 'Dashboard' },
  { route: { screen: 'containers' }, label: 'Containers' },
  { route: { screen: 'images' }, label: 'Images' },
  { route: { screen: 'volumes' }, label: 'Volumes' },
  { route: { screen: 'networks' }, label: 'Networks' },
  { route: { screen: 'terminal' }, label: 'Terminal' },
  { route: { screen: 'settings' }, label: 'Settings' },
  { route: { screen: 'troubleshoot' }, label: 'Troubleshoot' },
];

function Screen() {
  const route = useStore((s) => s.route);
  switch (route.screen) {
    case 'dashboard':
      return <Dashboard />;
    case 'containers':
      return <ContainersList />;
    case 'container':
      return <ContainerDetail id={route.id} />;
    case 'images':
      return <ImagesList />;
    case 'image':
      return <ImageDetail key={route.id} id={route.id} />;
    case 'volumes':
      return <VolumesList />;
    case 'volume':
      return <VolumeFiles key={route.name} name={route.name} />;
    case 'networks':
      return <NetworksList />;
    case 'terminal':
      return <HostTerminal />;
    case 'settings':
      return <SettingsScreen />;
    case 'troubleshoot':
      return <TroubleshootScreen />;
  }
}

export function App() {
  const theme = useStore((s) => s.theme);
  const route = useStore((s) => s.route);
  const navigate = useStore((s) => s.navigate);
  const toggleTheme = useStore((s) => s.toggleTheme);
  const engineError = useStore((s) => s.engineError);
  const starting = engineError?.code === 'engine.starting';

  useEffect(() => {
    document.documentElement.dataset.theme = theme;
  }, [theme]);

  useEffect(() => {
    const s = useStore.getState();
    const refresh = () => Promise.all([s.refreshEngine(), s.refreshContainers(), s.refreshImages()]);
    void refresh();
    void s.loadSettings();
    const unwatchTheme = s.watchSystemTheme();
    const timer = setInterval(refresh, pollMs);
    const onPop = () => useStore.setState({ route: parseRoute(location.hash) });
    window.addEventListener('popstate', onPop);
    return () => {
      unwatchTheme();
      clearInterval(timer);
      window.removeEventListener('popstate', onPop);
    };
  }, []);

  const parent = { container: 'containers', volume: 'volumes', image: 'images' } as const;
  const current =
    route.screen === 'container' || route.screen === 'volume' || route.screen === 'image'
      ? parent[route.screen]
      : route.screen;
  return (
    <div className="app">
      <nav className="sidebar" aria-label="Main">
        <div className="brand">⚓ Berth</div>
        {nav.map((n) => (
          <button
            key={n.label}
            type="button"
            className={current === n.route.screen ? 'nav active' : 'nav'}
            aria-current={current === n.route.screen ? 'page' : undefined}
            onClick={() => navigate(n.route)}
          >
            {n.label}
          </button>
        ))}
        <div className="spacer" />
        <div className={engineError && !starting ? 'engine-status bad' : 'engine-status'} aria-live="polite">
          <span className={starting ? 'dot' : engineError ? 'dot bad' : 'dot ok'} aria-hidden="true" />
          {starting ? 'Engine starting…' : engineError ? 'Engine unreachable' : 'Engine running'}
        </div>
        <button
          type="button"
          className="nav"
          onClick={toggleTheme}
          aria-label={theme === 'dark' ? 'Switch to light theme' : 'Switch to dark theme'}
        >
          {theme === 'dark' ? '☀ Light theme' : '☾ Dark theme'}
        </button>
      </nav>
      <main className="content">
        <ErrorBoundary>
          <Screen />
        </ErrorBoundary>
      </main>
      <ConfirmHost />
      <Toasts />
    </div>
  );
}
