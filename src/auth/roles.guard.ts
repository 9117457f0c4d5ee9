import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { GqlExecutionContext } from '@nestjs/graphql';
import { AppError } from '../common/errors/app-error';
import { ErrorCode } from '../common/errors/error-code';
import { GraphqlContext } from './graphql-context';
import { REQUIRED_ROLE } from './roles.decorator';
import { allows, Role } from './role';

/** Every resolver needs an authenticated caller, with at least the role its operation declares (VIEWER by default). */
@Injectable()
export class RolesGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    if (context.getType<string>() !== 'graphql') return true;
    const principal = GqlExecutionContext.create(context).getContext<GraphqlContext>().principal;
    if (!principal) throw new AppError(ErrorCode.UNAUTHENTICATED, 'an API key is required');
    const required =
      this.reflector.getAllAndOverride<Role | undefined>(REQUIRED_ROLE, [context.getHandler(), context.getClass()]) ??
      Role.VIEWER;
    if (!allows(principal.role, required)) {
      throw new AppError(
        ErrorCode.FORBIDDEN,
        `this operation needs the ${required} role; the key "${principal.name}" is ${principal.role}`,
      );
    }
    return true;
  }
}
