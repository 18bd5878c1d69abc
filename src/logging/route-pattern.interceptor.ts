import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';

/** What Express knows of the route a request matched, and where the request log finds its pattern. */
export interface PatternedRequest {
  baseUrl?: string;
  route?: { path?: unknown };
  routePattern?: string;
}

/**
 * Notes the pattern of the route a request reached ("/api/v1/languages/:id/child-notice") on the request, for its log
 * line (logging.module.ts): by the time the response is logged, Express's `req.route` names the logger's own
 * catch-all middleware instead.
 */
@Injectable()
export class RoutePatternInterceptor implements NestInterceptor {
  intercept(ctx: ExecutionContext, next: CallHandler) {
    if (ctx.getType() === 'http') {
      const req = ctx.switchToHttp().getRequest<PatternedRequest>();
      if (typeof req.route?.path === 'string') req.routePattern = `${req.baseUrl ?? ''}${req.route.path}`;
    }
    return next.handle();
  }
}
