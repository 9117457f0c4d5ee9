import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { GqlExecutionContext } from '@nestjs/graphql';
import { GraphqlContext } from './graphql-context';
import { Principal } from './principal';

/** The caller's principal, as the context holds it (the guard has made sure there is one). */
export const CurrentPrincipal = createParamDecorator(
  (_data: unknown, ctx: ExecutionContext): Principal | undefined =>
    GqlExecutionContext.create(ctx).getContext<GraphqlContext>().principal,
);
