/** Text written with `backticks` for commands and paths (as the app's own messages are): those parts as <code>. */
export function CodeText({ text }: { text: string }) {
  const parts = text.split('`');
  // An odd number of backticks leaves the last one unmatched: it stays as written.
  if (parts.length % 2 === 0) return <>{text}</>;
  return (
    <>
      {parts.map((p, i) =>
        i % 2 === 1 ? (
          // biome-ignore lint/suspicious/noArrayIndexKey: the parts of one fixed string
          <code key={i}>{p}</code>
        ) : (
          p
        ),
      )}
    </>
  );
}
