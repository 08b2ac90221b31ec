// The WeChat official account's API as this product uses it, as a local HTTP server (127.0.0.1, an ephemeral
// port): access tokens (`GET /cgi-bin/token`, checking the appid and secret), customer-service text messages
// (`POST /cgi-bin/message/custom/send`) and temporary media (`GET /cgi-bin/media/get`: the bytes with WeChat's
// headers, or its JSON errors). Tokens can be expired on demand, and the next answers of either call scripted
// (an errcode, or an HTTP status). Shared by the push-back and media tests and `scripts/wechat-api-fake.ts`.
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export const FAKE_APPID = 'wx00112233445566aa';
export const FAKE_APPSECRET = 'fakeappsecret0123456789abcdef012';

/** A scripted answer: WeChat's JSON error, or a bare HTTP failure (a 5xx from its gateway). */
export type FakeFailure = { errcode: number } | { status: number };

const ERRMSG: Record<number, string> = {
  40001: 'invalid credential, access_token is invalid or not latest',
  40007: 'invalid media_id',
  45009: 'reach max api daily quota limit',
  45015: 'response out of time limit or subscription is canceled',
};

export class FakeWechatApi {
  readonly server: Server = createServer((req, res) => void this.handle(req, res));
  tokensIssued = 0;
  readonly valid = new Set<string>();
  readonly messages: Array<{ touser: string; content: string }> = [];
  readonly refusals: string[] = [];
  /** The next customer-service send answers this errcode (40001: token no longer valid; 45015: 48 hours). */
  nextError: number | null = null;
  /** Temporary media by media id. */
  readonly media = new Map<string, { data: Buffer; contentType: string }>();
  /** What the next media downloads answer instead of the media, in order. */
  readonly mediaFailures: FakeFailure[] = [];
  /** Every media id asked for (with a valid token). */
  readonly mediaRequests: string[] = [];
  /** Served for a media id not in `media` (the try-it-locally script); otherwise such an id is 40007. */
  fallbackMedia: { data: Buffer; contentType: string } | null = null;

  constructor(
    readonly appId = FAKE_APPID,
    readonly appSecret = FAKE_APPSECRET,
  ) {}

  async start(port = 0): Promise<string> {
    this.server.listen(port, '127.0.0.1');
    await once(this.server, 'listening');
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  /** WeChat has dropped every token it issued (another server fetched a new one, or they expired). */
  expireTokens(): void {
    this.valid.clear();
  }

  private async handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://x');
    const answer = (body: object) =>
      res.writeHead(200, { 'content-type': 'application/json; encoding=utf-8' }).end(JSON.stringify(body));
    const refuse = (errcode: number) => answer({ errcode, errmsg: ERRMSG[errcode] ?? 'refused by the fake' });
    if (req.method === 'GET' && url.pathname === '/cgi-bin/token') {
      const q = url.searchParams;
      if (
        q.get('grant_type') !== 'client_credential' ||
        q.get('appid') !== this.appId ||
        q.get('secret') !== this.appSecret
      )
        return answer({ errcode: 40125, errmsg: 'invalid appsecret' });
      const token = `tok-${++this.tokensIssued}`;
      this.valid.add(token);
      return answer({ access_token: token, expires_in: 7200 });
    }
    const token = url.searchParams.get('access_token') ?? '';
    if (req.method === 'GET' && url.pathname === '/cgi-bin/media/get') {
      if (!this.valid.has(token)) return refuse(40001);
      const mediaId = url.searchParams.get('media_id') ?? '';
      this.mediaRequests.push(mediaId);
      const failure = this.mediaFailures.shift();
      if (failure && 'status' in failure) return res.writeHead(failure.status).end('Bad Gateway');
      if (failure) return refuse(failure.errcode);
      const media = this.media.get(mediaId) ?? this.fallbackMedia;
      if (!media) return refuse(40007);
      return res
        .writeHead(200, {
          'Content-Type': media.contentType,
          'Content-disposition': `attachment; filename="${mediaId}.jpg"`,
          'Cache-Control': 'no-cache, must-revalidate',
          'Content-Length': String(media.data.length),
        })
        .end(media.data);
    }
    if (req.method === 'POST' && url.pathname === '/cgi-bin/message/custom/send') {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      if (!this.valid.has(token)) return refuse(40001);
      if (this.nextError !== null) {
        const errcode = this.nextError;
        this.nextError = null;
        if (errcode === 40001) this.valid.delete(token);
        return refuse(errcode);
      }
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        touser?: string;
        msgtype?: string;
        text?: { content?: string };
      };
      if (body.msgtype !== 'text' || !body.touser || !body.text?.content) {
        this.refusals.push(JSON.stringify(body));
        return answer({ errcode: 44002, errmsg: 'empty post data' });
      }
      this.messages.push({ touser: body.touser, content: body.text.content });
      return answer({ errcode: 0, errmsg: 'ok' });
    }
    res.writeHead(404).end();
  }
}
