import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.tsx';
import { warmFormats } from './ui/format.ts';
import './styles.css';

const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
}

// The locale's data for dates, loaded while nothing else happens rather than in a screen's first render.
if (typeof requestIdleCallback === 'function') requestIdleCallback(warmFormats, { timeout: 300 });
else setTimeout(warmFormats, 500);
