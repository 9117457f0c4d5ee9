/** Removes graphql-js's "Did you mean …?" from a message: in production it would spell out the schema. */
export function withoutSuggestions(message: string): string {
  return message.replace(/ ?Did you mean(.+?)\?$/, '');
}
