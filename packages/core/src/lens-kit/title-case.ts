/**
 * Python's `str.title()`, which monitorch applies to parameter names in panel titles: every
 * run of letters starts upper case and continues lower case (`weight_ih_l0` → `Weight_Ih_L0`).
 *
 * @param s - the text
 */
export function titleCase(s: string): string {
  let out = '';
  let inWord = false;
  for (const ch of s) {
    const letter = ch.toLowerCase() !== ch.toUpperCase();
    out += letter ? (inWord ? ch.toLowerCase() : ch.toUpperCase()) : ch;
    inWord = letter;
  }
  return out;
}
