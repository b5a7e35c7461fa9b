/** Puts text on the clipboard; answers the reason when the browser refuses. */
export async function copyText(text: string): Promise<string | null> {
  try {
    await navigator.clipboard.writeText(text);
    return null;
  } catch (err) {
    return (err as Error).message || 'the clipboard is not available';
  }
}
