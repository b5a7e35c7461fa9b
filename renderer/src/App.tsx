import { Component, type ReactNode, useEffect } from 'react';
import { ContainerDetail } from './features/containers/ContainerDetail.tsx';
import { ContainersList } from './features/containers/ContainersList.tsx';
import { Dashboard } from './features/dashboard/Dashboard.tsx';
import { ImageDetail } from './features/images/ImageDetail.tsx';
import { ImagesList } from './features/images/ImagesList.tsx';
import { ApplyScreen } from './features/kubernetes/apply/ApplyScreen.tsx';
import { KubeNav } from './features/kubernetes/KubeNav.tsx';
import { KubeListScreen, KubeObjectScreen } from './features/kubernetes/KubeScreens.tsx';
import { kindWords } from './features/kubernetes/kinds.ts';
import { PodScreen } from './features/kubernetes/pods/PodScreen.tsx';
import { PortForwardsScreen } from './features/kubernetes/portforward/PortForwardsScreen.tsx';
import { NetworksList } from './features/networks/NetworksList.tsx';
import { SearchPalette } from './features/search/SearchPalette.tsx';
import { SettingsScreen } from './features/settings/SettingsScreen.tsx';
import { HostTerminal } from './features/terminal/HostTerminal.tsx';
import { TroubleshootScreen } from './features/troubleshoot/TroubleshootScreen.tsx';
import { VolumeFiles } from './features/volumes/VolumeFiles.tsx';
import { VolumesList } from './features/volumes/VolumesList.tsx';
import { kubeKinds, parseRoute, type Route, useStore } from './store/index.ts';
import { ConfirmHost } from './ui/ConfirmHost.tsx';
import { carriesFiles } from './ui/dropped-files.ts';
import { EngineBanner } from './ui/EngineBanner.tsx';
import { IconButton } from './ui/IconButton.tsx';
import { Toasts } from './ui/Toasts.tsx';
import './app.css';

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

/** The Kubernetes lists, for the search palette (the nav shows them inside its Kubernetes section). */
const kubeScreens = kubeKinds.map((kind) => ({
  route: { screen: 'kube', kind } as Route,
  label: `Kubernetes ${kindWords[kind].title}`,
}));

const isMac = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform);

/** The engine's state in a word, and Restart when it is the berthd the app started and it is down. */
function EngineStatusLine() {
  const engineError = useStore((s) => s.engineError);
  const managed = useStore((s) => s.engineStatus?.managed ?? null);
  const restarting = useStore((s) => s.engineRestarting);
  const restart = useStore((s) => s.restartManagedEngine);
  const starting = engineError?.code === 'engine.starting';
  const down = engineError !== null && !starting;
  return (
    <div className={down ? 'engine-status bad' : 'engine-status'} aria-live="polite">
      <span className={starting ? 'dot' : down ? 'dot bad' : 'dot ok'} aria-hidden="true" />
      <span className="engine-status-text">
        {starting
          ? 'Engine starting…'
          : !down
            ? 'Engine running'
            : managed
              ? 'Engine stopped'
              : 'Engine unreachable'}
      </span>
      {down && managed && (
        <IconButton
          icon="restart"
          label="Restart engine"
          tip="Restart"
          disabled={restarting}
          onClick={() => void restart()}
        />
      )}
    </div>
  );
}

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
    case 'kube':
      return <KubeListScreen kind={route.kind} />;
    case 'kubeObject':
      return <KubeObjectScreen kind={route.kind} namespace={route.namespace} name={route.name} />;
    case 'kube-apply':
      return <ApplyScreen key={route.context} context={route.context} />;
    case 'kube-pod':
      return <PodScreen key={`${route.context}/${route.namespace}/${route.pod}`} {...route} />;
    case 'kube-port-forwards':
      return <PortForwardsScreen />;
  }
}

export function App() {
  const theme = useStore((s) => s.theme);
  const route = useStore((s) => s.route);
  const navigate = useStore((s) => s.navigate);
  const toggleTheme = useStore((s) => s.toggleTheme);
  const openPalette = useStore((s) => s.openPalette);

  useEffect(() => {
    document.documentElement.dataset.theme = theme;
  }, [theme]);

  useEffect(() => {
    const s = useStore.getState();
    const refresh = () => Promise.all([s.refreshEngine(), s.refreshContainers(), s.refreshImages()]);
    void refresh();
    void s.loadSettings();
    const unwatchTheme = s.watchSystemTheme();
    void s.loadMachine();
    const unwatchMachine = s.watchMachine();
    const timer = setInterval(refresh, pollMs);
    const onPop = () => useStore.setState({ route: parseRoute(location.hash) });
    window.addEventListener('popstate', onPop);
    const onKey = (e: KeyboardEvent) => {
      if ((e.ctrlKey || e.metaKey) && !e.altKey && !e.shiftKey && e.key.toLowerCase() === 'k') {
        e.preventDefault();
        const st = useStore.getState();
        if (st.paletteOpen) st.closePalette();
        else st.openPalette();
      }
    };
    window.addEventListener('keydown', onKey);
    // A file dropped anywhere but on a drop zone must not make the browser leave the app to open it.
    const keepFiles = (e: DragEvent) => {
      if (carriesFiles(e.dataTransfer)) e.preventDefault();
    };
    window.addEventListener('dragover', keepFiles);
    window.addEventListener('drop', keepFiles);
    return () => {
      unwatchTheme();
      unwatchMachine();
      clearInterval(timer);
      window.removeEventListener('popstate', onPop);
      window.removeEventListener('dragover', keepFiles);
      window.removeEventListener('drop', keepFiles);
      window.removeEventListener('keydown', onKey);
    };
  }, []);

  const parent = { container: 'containers', volume: 'volumes', image: 'images' } as const;
  const screens = [...nav, ...kubeScreens];
  const current =
    route.screen === 'container' || route.screen === 'volume' || route.screen === 'image'
      ? parent[route.screen]
      : route.screen;
  return (
    <div className="app">
      <nav className="sidebar" aria-label="Main">
        <div className="brand">⚓ Berth</div>
        <button
          type="button"
          className="nav search-button"
          onClick={openPalette}
          aria-label="Search"
          aria-keyshortcuts={isMac ? 'Meta+K' : 'Control+K'}
        >
          <span>Search</span>
          <kbd>{isMac ? '⌘K' : 'Ctrl K'}</kbd>
        </button>
        {nav.map((n) => [
          n.route.screen === 'settings' && <KubeNav key="kube" route={route} />,
          <button
            key={n.label}
            type="button"
            className={current === n.route.screen ? 'nav active' : 'nav'}
            aria-current={current === n.route.screen ? 'page' : undefined}
            onClick={() => navigate(n.route)}
          >
            {n.label}
          </button>,
        ])}
        <div className="spacer" />
        <EngineStatusLine />
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
        <EngineBanner />
        <ErrorBoundary>
          <Screen />
        </ErrorBoundary>
      </main>
      <SearchPalette screens={screens} />
      <ConfirmHost />
      <Toasts />
    </div>
  );
}
