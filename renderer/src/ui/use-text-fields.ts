import { useState } from 'react';

/**
 * The values of a form's text fields, keyed by each input's `name`; `field(name)` gives the name, value
 * and change handler that a `TextField` takes.
 */
export function useTextFields<Name extends string>(initial: Record<Name, string>) {
  const [values, setValues] = useState(initial);
  const field = (name: Name) => ({
    name,
    value: values[name],
    onChange: (value: string) => setValues((v) => ({ ...v, [name]: value })),
  });
  return { values, field };
}
