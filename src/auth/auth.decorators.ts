import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import type { Role } from '../common/domain';
import type { Principal } from './principal';

export const IS_PUBLIC = 'puente:public';
export const ROLES = 'puente:roles';

/** The route needs no token. */
export const Public = () => SetMetadata(IS_PUBLIC, true);

/** Only these roles may use the route (403 for any other authenticated role). */
export const Roles = (...roles: Role[]) => SetMetadata(ROLES, roles);

/** The verified principal of the current HTTP request or socket. */
export const CurrentUser = createParamDecorator((_: unknown, ctx: ExecutionContext): Principal => {
  if (ctx.getType() === 'ws') return ctx.switchToWs().getClient().data.principal;
  return ctx.switchToHttp().getRequest().principal;
});
