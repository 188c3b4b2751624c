/**
 * Names come from user models: drop control characters so a name cannot move the cursor or
 * recolour the terminal.
 *
 * @param text - a module, phase or quantity name
 */
export function clean(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
}
