/** Small helpers shared by the generated pictures (deterministic text, no layout engine). */

export function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** Average glyph width of 12px sans-serif: enough to size boxes and truncate without a font. */
export const CHAR = 6.6;

export function fit(text: string, widthPx: number, char = CHAR): string {
  const max = Math.max(3, Math.floor(widthPx / char));
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

export function svgOpen(width: number, height: number): string[] {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif">`,
    `<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#5f6368"/></marker></defs>`,
    `<rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`,
  ];
}
