import type { ButtonHTMLAttributes } from 'react';
import { Icon, type IconName } from './icons.tsx';

/**
 * A row action as an icon: its accessible name is `label` (what it does and to what, e.g. "Stop web"),
 * its tooltip is `tip` (the verb alone, e.g. "Stop"), shown on hover and on keyboard focus.
 */
export function IconButton({
  icon,
  label,
  tip,
  danger,
  className,
  ...rest
}: {
  icon: IconName;
  label: string;
  tip: string;
  danger?: boolean;
} & Omit<ButtonHTMLAttributes<HTMLButtonElement>, 'aria-label' | 'children'>) {
  return (
    <button
      type="button"
      {...rest}
      className={`icon-button${danger ? ' danger' : ''}${className ? ` ${className}` : ''}`}
      aria-label={label}
      data-tip={tip}
    >
      <Icon name={icon} />
    </button>
  );
}
