/** The `scope` option of the adapters, as a list. */

/**
 * Scopes a request's token must carry: a space-delimited string or a list; none by default.
 * @param {string | readonly string[] | undefined} scope
 * @returns {readonly string[]}
 */
export function requiredScopes(scope) {
  if (scope === undefined) return [];
  const list = typeof scope === 'string' ? scope.split(' ') : [...scope];
  return Object.freeze(list.filter(Boolean));
}
