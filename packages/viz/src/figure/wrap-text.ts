/**
 * Splits `text` into lines of at most `perLine` characters at spaces (a longer word stays
 * whole): SVG text does not wrap by itself.
 *
 * @param text - one paragraph
 * @param perLine - most characters per line
 */
export function wrapText(text: string, perLine: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > perLine) {
      lines.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  lines.push(line);
  return lines;
}
