import GraphQLJSON from 'graphql-type-json';

/** The `JSON` scalar: any JSON value, used for event details and evidence. */
export const JSONScalar = GraphQLJSON;
