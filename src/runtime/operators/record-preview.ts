/** A record for an error message: JSON when possible, at most 200 characters. */
export function preview(record: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(record) ?? String(record);
  } catch {
    text = String(record);
  }
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
