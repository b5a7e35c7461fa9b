// The app's icons: small inline SVGs that take the text colour (no icon font, no network).
import type { ReactNode } from 'react';

const paths: Record<string, ReactNode> = {
  start: <path d="M5 3.5v9l7.5-4.5z" fill="currentColor" stroke="none" />,
  stop: <rect x="4" y="4" width="8" height="8" rx="1" fill="currentColor" stroke="none" />,
  restart: (
    <>
      <path d="M12.5 8a4.5 4.5 0 1 1-1.4-3.3" />
      <path d="M12.5 2.5v3h-3" />
    </>
  ),
  pause: (
    <>
      <rect x="4" y="3.5" width="2.6" height="9" rx=".5" fill="currentColor" stroke="none" />
      <rect x="9.4" y="3.5" width="2.6" height="9" rx=".5" fill="currentColor" stroke="none" />
    </>
  ),
  remove: (
    <>
      <path d="M3 4.5h10M6.5 4.5V3h3v1.5M4.5 4.5l.6 8.5h5.8l.6-8.5" />
      <path d="M7 7v4M9 7v4" />
    </>
  ),
  terminal: (
    <>
      <rect x="2" y="3" width="12" height="10" rx="1.5" />
      <path d="M4.5 6.5 6.5 8l-2 1.5M8 10h3" />
    </>
  ),
  open: <path d="M9 3h4v4M13 3 7.5 8.5M11 9.5V13H3V5h3.5" />,
  close: <path d="M4.5 4.5l7 7M11.5 4.5l-7 7" />,
  logs: <path d="M3 4h10M3 7h10M3 10h7M3 13h5" />,
  copy: (
    <>
      <rect x="5.5" y="5.5" width="7.5" height="7.5" rx="1" />
      <path d="M10.5 5.5V3H3v7.5h2.5" />
    </>
  ),
  download: <path d="M8 2.5v8M4.5 7 8 10.5 11.5 7M3 13.5h10" />,
  upload: <path d="M8 10.5v-8M4.5 6 8 2.5 11.5 6M3 13.5h10" />,
  run: <path d="M4 3.5v9l7.5-4.5zM12.5 4v8" />,
  folderPlus: (
    <>
      <path d="M2 4.5V12.5h12V5.5H7.5L6 4H2z" />
      <path d="M8 7.5v3.5M6.25 9.25h3.5" />
    </>
  ),
  clear: <path d="M4 4l8 8M12 4l-8 8" />,
  /** Clear a view (a console's ⊘): nothing is deleted. */
  clearView: (
    <>
      <circle cx="8" cy="8" r="5.5" />
      <path d="M4.1 11.9l7.8-7.8" />
    </>
  ),
  search: (
    <>
      <circle cx="7" cy="7" r="4" />
      <path d="M10 10l3.5 3.5" />
    </>
  ),
  tag: (
    <>
      <path d="M2.5 2.5h5l6 6-5 5-6-6z" />
      <circle cx="5.5" cy="5.5" r="1" />
    </>
  ),
  chevronRight: <path d="M6 3.5 10.5 8 6 12.5" />,
  chevronDown: <path d="M3.5 6 8 10.5 12.5 6" />,
  chevronUp: <path d="M3.5 10 8 5.5 12.5 10" />,
  browse: (
    <>
      <path d="M2 4.5V12.5h12V5.5H7.5L6 4H2z" />
    </>
  ),
  export: <path d="M8 9.5v-7M5 5.5 8 2.5l3 3M3 9v4.5h10V9" />,
  import: <path d="M8 2.5v7M5 6.5l3 3 3-3M3 9v4.5h10V9" />,
  clone: (
    <>
      <rect x="5.5" y="5.5" width="7.5" height="7.5" rx="1" />
      <path d="M10.5 5.5V3H3v7.5h2.5M9.25 7.5v4M7.25 9.5h4" />
    </>
  ),
  preview: (
    <>
      <path d="M1.5 8S4 3.5 8 3.5 14.5 8 14.5 8 12 12.5 8 12.5 1.5 8 1.5 8z" />
      <circle cx="8" cy="8" r="2" />
    </>
  ),
  wrap: <path d="M2.5 4h11M2.5 8h9a2 2 0 0 1 0 4H8.5M10 10.5 8.5 12 10 13.5M2.5 12h4" />,
};

export type IconName = keyof typeof paths;

export function Icon({ name, size = 16 }: { name: IconName; size?: number }) {
  return (
    <svg
      className="icon"
      width={size}
      height={size}
      viewBox="0 0 16 16"
      fill="none"
      stroke="currentColor"
      strokeWidth="1.5"
      strokeLinecap="round"
      strokeLinejoin="round"
      aria-hidden="true"
      focusable="false"
    >
      {paths[name]}
    </svg>
  );
}
