import { CanActivate, ExecutionContext, ForbiddenException, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Role } from '../common/domain';
import { IS_PUBLIC, ROLES } from './auth.decorators';
import { AuthService } from './auth.service';

/**
 * Global guard for REST: every route needs a valid bearer token unless marked @Public(), and @Roles()
 * narrows who may call it. Sockets are authenticated at the handshake and their token re-checked at every event
 * (RedisIoAdapter).
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly auth: AuthService,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    if (ctx.getType() !== 'http') return true;
    const targets = [ctx.getHandler(), ctx.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const req = ctx.switchToHttp().getRequest();
    const header: string | undefined = req.headers?.authorization;
    const token = header?.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
    req.principal = await this.auth.verify(token);
    const roles = this.reflector.getAllAndOverride<Role[]>(ROLES, targets);
    if (roles?.length && !roles.includes(req.principal.role)) {
      throw new ForbiddenException(`this action is for ${roles.join(', ')}`);
    }
    return true;
  }
}
