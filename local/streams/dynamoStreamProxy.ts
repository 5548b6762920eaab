/**
 * DynamoDB Streams for the local stack: dynalite has none, so the handlers talk to dynalite through this proxy, which
 * forwards every request unchanged and turns each successful write to a pop item (SK = POP, the filter the CDK stack
 * gives the stream's event source, lib/functions.ts) into a Streams-shaped record with both images, handed to
 * streamDispatcher.ts in the order the writes took effect.
 *
 * Writes to one key are serialised here, so the images are exact. No extra round trip is added to a write's answer:
 * PutItem and DeleteItem are sent with `ReturnValues: ALL_OLD` (the old image; stripped from the answer when the
 * caller did not ask), an UpdateItem's old image is the last new image this proxy saw of the key (read before the
 * write only for a key it has not seen), and its new image is read after the answer has been sent, before the next
 * write to the key goes ahead.
 */
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type AttributeMap = Record<string, unknown>;
export interface ImageChange {
  readonly keys: AttributeMap;
  readonly oldImage?: AttributeMap;
  readonly newImage?: AttributeMap;
}

interface Upstream {
  readonly host: string;
  readonly port: number;
}
interface Answer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

const WRITES = new Set(['PutItem', 'UpdateItem', 'DeleteItem']);
/** The stream's filter (lib/functions.ts): pop items only. */
const isPopKey = (key: AttributeMap | undefined) => (key?.SK as { S?: string } | undefined)?.S === 'POP';

function send(upstream: Upstream, headers: IncomingHttpHeaders, body: Buffer, method = 'POST'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      {
        host: upstream.host,
        port: upstream.port,
        method,
        path: '/',
        headers: { ...headers, 'content-length': String(body.length) },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 500, headers: response.headers, body: Buffer.concat(chunks) }),
        );
        response.on('error', reject);
      },
    );
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

/** A consistent GetItem of `key`, with the caller's headers (dynalite checks their presence, not the signature). */
async function getItem(
  upstream: Upstream,
  headers: IncomingHttpHeaders,
  table: string,
  key: AttributeMap,
): Promise<AttributeMap | undefined> {
  const body = Buffer.from(JSON.stringify({ TableName: table, Key: key, ConsistentRead: true }));
  const answer = await send(upstream, { ...headers, 'x-amz-target': 'DynamoDB_20120810.GetItem' }, body);
  if (answer.status !== 200) throw new Error(`GetItem for the stream failed (${answer.status})`);
  return (JSON.parse(answer.body.toString('utf8')) as { Item?: AttributeMap }).Item;
}

export interface StreamProxyOptions {
  readonly upstream: string;
  readonly onChange: (change: ImageChange) => void;
  /** Answers the DynamoDB Streams API calls sent here (streamsApi.ts); absent: forwarded like any other. */
  readonly streams?: (target: string, request: AttributeMap) => { status: number; body: AttributeMap };
}

export interface StreamProxy {
  readonly endpoint: string;
  /** Stops taking requests and resolves once every pop write already under way has been reported. */
  stop(): Promise<void>;
}

type Handle = (target: string, request: AttributeMap, headers: IncomingHttpHeaders, raw: Buffer) => Promise<Answer>;

export async function startStreamProxy(options: StreamProxyOptions): Promise<StreamProxy> {
  const url = new URL(options.upstream);
  const upstream: Upstream = { host: url.hostname, port: Number(url.port) };
  const { write, settled } = popWriter(upstream, options.onChange);
  const handle: Handle = (target, request, headers, raw) =>
    WRITES.has(target) && isPopKey((request.Key ?? request.Item) as AttributeMap)
      ? write(target, request, headers)
      : send(upstream, headers, raw);
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const [service, target = ''] = String(req.headers['x-amz-target'] ?? '').split('.');
      let parsed: AttributeMap = {};
      try {
        parsed = JSON.parse(raw.toString('utf8') || '{}') as AttributeMap;
      } catch {
        // Not JSON: forwarded as it is, dynalite answers it.
      }
      if (service === 'DynamoDBStreams_20120810' && options.streams) {
        const answer = options.streams(target, parsed);
        res.writeHead(answer.status, { 'content-type': 'application/x-amz-json-1.0' }).end(JSON.stringify(answer.body));
        return;
      }
      handle(target, parsed, req.headers, raw).then(
        (answer) =>
          res
            .writeHead(answer.status, { ...answer.headers, 'content-length': String(answer.body.length) })
            .end(answer.body),
        // dynalite down (the fault hooks): the client sees a dropped connection, as it would see a refused one.
        () => res.destroy(),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    // A write already sent to dynalite still gets its record (a stop loses no change that took effect).
    stop: async () => {
      await close(server);
      await settled();
    },
  };
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** Writes to pop items, one at a time per key, each reported with its images once it took effect. */
function popWriter(upstream: Upstream, onChange: (change: ImageChange) => void) {
  const queues = new Map<string, Promise<void>>();
  const lastImage = new Map<string, AttributeMap | undefined>();
  const settled = () => Promise.allSettled([...queues.values()]).then(() => undefined);
  const write = (target: string, request: AttributeMap, headers: IncomingHttpHeaders): Promise<Answer> => {
    const key = (request.Key ?? pick(request.Item as AttributeMap)) as AttributeMap;
    const id = JSON.stringify([key.PK, key.SK]);
    let answered!: (answer: Answer) => void;
    let failed!: (error: unknown) => void;
    const answer = new Promise<Answer>((resolve, reject) => ((answered = resolve), (failed = reject)));
    const run = async () => {
      const images = await writeWithImages(
        upstream,
        { target, request, headers, key, known: lastImage.has(id), last: lastImage.get(id) },
        answered,
      );
      if (!images) return;
      lastImage.set(id, images.newImage);
      if (lastImage.size > 10_000) lastImage.delete(lastImage.keys().next().value as string);
      if (JSON.stringify(images.oldImage) !== JSON.stringify(images.newImage)) onChange({ keys: key, ...images });
    };
    const queued = (queues.get(id) ?? Promise.resolve()).then(run).catch(failed);
    queues.set(id, queued);
    void queued.then(() => queues.get(id) === queued && queues.delete(id));
    return answer;
  };
  return { write, settled };
}

const pick = (item: AttributeMap) => ({ PK: item.PK, SK: item.SK });

interface PendingWrite {
  readonly target: string;
  readonly request: AttributeMap;
  readonly headers: IncomingHttpHeaders;
  readonly key: AttributeMap;
  readonly known: boolean;
  readonly last: AttributeMap | undefined;
}

/** One write: answers the caller as soon as the write is answered, then resolves with its images (undefined: refused). */
async function writeWithImages(upstream: Upstream, write: PendingWrite, answered: (answer: Answer) => void) {
  const { target, request, headers } = write;
  const asked = request.ReturnValues as string | undefined;
  const forceOld = target !== 'UpdateItem' && (asked === undefined || asked === 'NONE');
  const updateOld = target === 'UpdateItem' && (asked === undefined || asked === 'NONE');
  const before =
    target === 'UpdateItem' && !updateOld && !write.known
      ? await getItem(upstream, headers, String(request.TableName), write.key)
      : write.last;
  const sent = forceOld || updateOld ? { ...request, ReturnValues: 'ALL_OLD' } : request;
  const result = await send(upstream, headers, Buffer.from(JSON.stringify(sent)));
  const parsed =
    result.status === 200 ? (JSON.parse(result.body.toString('utf8') || '{}') as { Attributes?: AttributeMap }) : {};
  answered(forceOld || updateOld ? stripAttributes(result, parsed) : result);
  if (result.status !== 200) return undefined;
  if (target === 'PutItem') return { oldImage: parsed.Attributes, newImage: request.Item as AttributeMap };
  if (target === 'DeleteItem') return { oldImage: parsed.Attributes, newImage: undefined };
  const oldImage = updateOld ? parsed.Attributes : before;
  const newImage =
    asked === 'ALL_NEW' ? parsed.Attributes : await getItem(upstream, headers, String(request.TableName), write.key);
  return { oldImage, newImage };
}

/** The answer as dynalite would have given it without the ReturnValues this proxy added. */
function stripAttributes(result: Answer, parsed: { Attributes?: AttributeMap }): Answer {
  if (result.status !== 200) return result;
  const { Attributes: _old, ...rest } = parsed;
  return { ...result, body: Buffer.from(JSON.stringify(rest)) };
}
