/**
 * A small emulation of API Gateway's control-plane operations the provisioning CLI calls on usage plans and API keys
 * (provisioning/tenantKeys.ts, through the real `@aws-sdk/client-api-gateway` pointed at the local REST port):
 * CreateApiKey, GetApiKeys, CreateUsagePlan, GetUsagePlan(s), UpdateUsagePlan (throttle only), DeleteUsagePlan,
 * CreateUsagePlanKey, DeleteUsagePlanKey, DeleteApiKey, FlushStageAuthorizersCache (a no-op: no local authorizer cache).
 * No signatures checked, no paging; the differences from AWS are in local/README.md.
 */
import type { IncomingMessage, ServerResponse } from 'http';
import { newResourceId, type ApiKeyRecord, type UsagePlanRecord, type UsagePlans } from './usagePlans';

/** The paths it answers; everything else on the REST port is the stage's. */
export const isControlPlanePath = (path: string): boolean => /^\/(apikeys|usageplans|restapis)(\/|$)/.test(path);

class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

type Json = Record<string, unknown>;

const keyJson = (key: ApiKeyRecord, withValue: boolean): Json => ({
  id: key.id,
  name: key.name,
  enabled: key.enabled,
  createdDate: Math.floor(key.createdDate / 1000),
  ...(key.description !== undefined ? { description: key.description } : {}),
  ...(withValue ? { value: key.value } : {}),
});

const planJson = (plan: UsagePlanRecord): Json => ({
  id: plan.id,
  name: plan.name,
  apiStages: plan.apiStages,
  ...(plan.description !== undefined ? { description: plan.description } : {}),
  ...(plan.throttle ? { throttle: plan.throttle } : {}),
});

function planOf(state: UsagePlans, id: string): UsagePlanRecord {
  const plan = state.plans.get(decodeURIComponent(id));
  if (!plan) throw new ApiError(404, 'NotFoundException', 'Invalid Usage Plan ID specified');
  return plan;
}

function createApiKey(state: UsagePlans, body: Json): Json {
  const value = typeof body.value === 'string' ? body.value : newResourceId() + newResourceId() + newResourceId();
  if (value.length < 20)
    throw new ApiError(400, 'BadRequestException', 'API Key value should be at least 20 characters');
  if ([...state.keys.values()].some((k) => k.value === value))
    throw new ApiError(409, 'ConflictException', 'API Key value already exists');
  const key: ApiKeyRecord = {
    id: newResourceId(),
    name: typeof body.name === 'string' ? body.name : value,
    value,
    enabled: body.enabled === true,
    createdDate: Date.now(),
    ...(typeof body.description === 'string' ? { description: body.description } : {}),
  };
  state.keys.set(key.id, key);
  return keyJson(key, true);
}

function createUsagePlan(state: UsagePlans, body: Json): Json {
  const throttle = body.throttle as { rateLimit?: number; burstLimit?: number } | undefined;
  const stages = Array.isArray(body.apiStages) ? (body.apiStages as { apiId: string; stage: string }[]) : [];
  const plan: UsagePlanRecord = {
    id: newResourceId(),
    name: String(body.name ?? ''),
    ...(typeof body.description === 'string' ? { description: body.description } : {}),
    apiStages: stages.map((s) => ({ apiId: String(s.apiId), stage: String(s.stage) })),
    ...(throttle ? { throttle: { rateLimit: throttle.rateLimit ?? 0, burstLimit: throttle.burstLimit ?? 0 } } : {}),
    keyIds: new Set(),
  };
  state.plans.set(plan.id, plan);
  return planJson(plan);
}

/** The patch operations the CLI sends: replace /throttle/rateLimit, /throttle/burstLimit, /name, /description. */
function updateUsagePlan(plan: UsagePlanRecord, body: Json): Json {
  const operations = Array.isArray(body.patchOperations) ? (body.patchOperations as Json[]) : [];
  for (const { op, path, value } of operations) {
    if (op !== 'replace') throw new ApiError(400, 'BadRequestException', `Unsupported operation ${String(op)}`);
    if (path === '/throttle/rateLimit' || path === '/throttle/burstLimit') {
      plan.throttle ??= { rateLimit: 0, burstLimit: 0 };
      plan.throttle[path === '/throttle/rateLimit' ? 'rateLimit' : 'burstLimit'] = Number(value);
    } else if (path === '/name') plan.name = String(value);
    else if (path === '/description') plan.description = String(value);
    else throw new ApiError(400, 'BadRequestException', `Unsupported path ${String(path)}`);
  }
  return planJson(plan);
}

function createUsagePlanKey(state: UsagePlans, plan: UsagePlanRecord, body: Json): Json {
  const key = state.keys.get(String(body.keyId));
  if (!key) throw new ApiError(404, 'NotFoundException', 'Invalid API Key identifier specified');
  if (plan.keyIds.has(key.id)) throw new ApiError(409, 'ConflictException', 'Usage Plan Key already exists');
  plan.keyIds.add(key.id);
  return { id: key.id, type: 'API_KEY', name: key.name, value: key.value };
}

function getApiKeys(state: UsagePlans, query: URLSearchParams): Json {
  const name = query.get('name');
  const keys = [...state.keys.values()].filter((k) => name === null || k.name.startsWith(name));
  return { item: keys.map((k) => keyJson(k, query.get('includeValues') === 'true')) };
}

function getUsagePlans(state: UsagePlans, query: URLSearchParams): Json {
  const keyId = query.get('keyId');
  const plans = [...state.plans.values()].filter((p) => keyId === null || p.keyIds.has(keyId));
  return { item: plans.map(planJson) };
}

/** [status, body] of one operation. */
function route(state: UsagePlans, method: string, url: URL, body: Json): [number, Json | undefined] {
  const parts = url.pathname.split('/').slice(1);
  const [root, id, sub, keyId] = parts;
  const at = `${method} /${root}${id !== undefined ? '/{id}' : ''}${sub !== undefined ? `/${sub}` : ''}${keyId !== undefined ? '/{keyId}' : ''}`;
  switch (at) {
    case 'POST /apikeys':
      return [201, createApiKey(state, body)];
    case 'GET /apikeys':
      return [200, getApiKeys(state, url.searchParams)];
    case 'DELETE /apikeys/{id}':
      if (!state.keys.delete(decodeURIComponent(id!)))
        throw new ApiError(404, 'NotFoundException', 'Invalid API Key identifier specified');
      for (const plan of state.plans.values()) plan.keyIds.delete(decodeURIComponent(id!));
      return [202, undefined];
    case 'POST /usageplans':
      return [201, createUsagePlan(state, body)];
    case 'GET /usageplans':
      return [200, getUsagePlans(state, url.searchParams)];
    case 'GET /usageplans/{id}':
      return [200, planJson(planOf(state, id!))];
    case 'PATCH /usageplans/{id}':
      return [200, updateUsagePlan(planOf(state, id!), body)];
    case 'DELETE /usageplans/{id}':
      if (planOf(state, id!).keyIds.size > 0)
        throw new ApiError(400, 'BadRequestException', 'Cannot delete Usage Plan with keys');
      return [202, void state.plans.delete(decodeURIComponent(id!))];
    case 'POST /usageplans/{id}/keys':
      return [201, createUsagePlanKey(state, planOf(state, id!), body)];
    case 'DELETE /usageplans/{id}/keys/{keyId}':
      if (!planOf(state, id!).keyIds.delete(decodeURIComponent(keyId!)))
        throw new ApiError(404, 'NotFoundException', 'Invalid Usage Plan Key specified');
      return [202, undefined];
  }
  // FlushStageAuthorizersCache: DELETE /restapis/{id}/stages/{stage}/cache/authorizers
  if (method === 'DELETE' && /^\/restapis\/[^/]+\/stages\/[^/]+\/cache\/authorizers$/.test(url.pathname))
    return [202, undefined];
  throw new ApiError(404, 'NotFoundException', `No such operation: ${method} ${url.pathname}`);
}

/** Answers one control-plane request. */
export function answerControlPlane(state: UsagePlans, req: IncomingMessage, res: ServerResponse, raw: Buffer): void {
  const url = new URL(req.url ?? '/', 'http://localhost');
  let status: number;
  let json: Json | undefined;
  try {
    const body = raw.length > 0 ? (JSON.parse(raw.toString('utf8')) as Json) : {};
    [status, json] = route(state, req.method ?? 'GET', url, body);
  } catch (error) {
    const apiError =
      error instanceof ApiError ? error : new ApiError(400, 'BadRequestException', (error as Error).message);
    res.writeHead(apiError.status, { 'Content-Type': 'application/json', 'x-amzn-ErrorType': apiError.type });
    return void res.end(JSON.stringify({ message: apiError.message }));
  }
  const text = json === undefined ? '' : JSON.stringify(json);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}
