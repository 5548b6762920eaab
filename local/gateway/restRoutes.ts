/** Matches a request against REST_ROUTES' resource templates (`/pops/{PopId}`), as API Gateway's resource tree. */
import type { RestRoute } from '../../lambdas/apiRoutes';

export interface RouteMatch {
  readonly route: RestRoute;
  readonly pathParameters: Record<string, string> | null;
}

interface CompiledRoute {
  readonly route: RestRoute;
  readonly pattern: RegExp;
  readonly names: readonly string[];
}

function compile(route: RestRoute): CompiledRoute {
  const names: string[] = [];
  const source = route.resource
    .split('/')
    .map((segment) => {
      const param = /^\{([A-Za-z0-9_]+)\}$/.exec(segment);
      if (!param) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      names.push(param[1]!);
      return '([^/]+)';
    })
    .join('/');
  return { route, pattern: new RegExp(`^${source}/?$`), names };
}

export class RestRouter {
  private readonly compiled: readonly CompiledRoute[];

  constructor(routes: readonly RestRoute[]) {
    // Literal segments win over parameters, as in API Gateway (`/pops/x` before `/pops/{PopId}`).
    this.compiled = routes.map(compile).sort((a, b) => a.names.length - b.names.length);
  }

  /** `resourcePath` is the path after the stage, raw (percent-encoded) as API Gateway's REST APIs pass it. */
  match(method: string, resourcePath: string): RouteMatch | undefined {
    for (const candidate of this.compiled) {
      if (candidate.route.method !== method) continue;
      const found = candidate.pattern.exec(resourcePath);
      if (!found) continue;
      if (candidate.names.length === 0) return { route: candidate.route, pathParameters: null };
      const pathParameters: Record<string, string> = {};
      candidate.names.forEach((name, i) => {
        pathParameters[name] = found[i + 1]!;
      });
      return { route: candidate.route, pathParameters };
    }
    return undefined;
  }
}
