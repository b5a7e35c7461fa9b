/**
 * A labelled text input, or a textarea spanning the whole form grid when `rows` is given; the label text
 * comes first and names the field.
 */
export function TextField({
  label,
  name,
  value,
  onChange,
  placeholder,
  required,
  rows,
}: {
  label: string;
  name: string;
  value: string;
  onChange: (value: string) => void;
  placeholder?: string;
  required?: boolean;
  rows?: number;
}) {
  const field = {
    name,
    value,
    placeholder,
    required,
    onChange: (e: { target: { value: string } }) => onChange(e.target.value),
  };
  return rows === undefined ? (
    <label>
      {label}
      <input {...field} />
    </label>
  ) : (
    <label className="wide">
      {label}
      <textarea {...field} rows={rows} />
    </label>
  );
}
