/**
 * Ends a `switch` that must handle every member of a union: `default: return assertNever(x)`.
 * While every case is handled, `x` is `never` there; a member added to the union (a new
 * reduction op in core) makes that line a compile error instead of a silently wrong default.
 *
 * @throws Error at run time only if a value outside the type got in (a cast, untyped data)
 */
export function assertNever(x: never): never {
  throw new Error(`internal: unhandled case ${JSON.stringify(x)}`);
}
