/**
 * A PostgreSQL server for the connection tests, in front of the test server: it answers the SSLRequest
 * ('S' and TLS with the given certificate, or 'N'), may ask for a password (cleartext or md5) and note
 * what came, then hands the connection to the test server (trust authentication) with the client's
 * start-up message, so that the client ends up in a working session. Or it accepts and never answers.
 * Only as much of the protocol as that takes (the start-up packets and one password message).
 */
import crypto from 'node:crypto';
import net from 'node:net';
import tls from 'node:tls';
import { PG_BASE_URL } from './pg.js';

const SSL_REQUEST = 80877103;

export interface FrontOptions {
  /** where to listen (default 127.0.0.1; '::1' for IPv6) */
  host?: string;
  /** never answer anything ('at once'), or answer only an SSLRequest, never the start-up message ('after SSLRequest') */
  hang?: 'at once' | 'after SSLRequest';
  /** answer an SSLRequest with 'S' and TLS with this key and certificate; without it, 'N' */
  tls?: { key: string; cert: string };
  /** ask for a password before handing the connection on */
  password?: 'cleartext' | 'md5';
}

export interface FrontConnection {
  tls: boolean;
  /** the start-up message's parameters (user, database, application_name …) */
  params: Record<string, string>;
  /** what the client sent as its password (md5: the hash) */
  password?: string;
  /** md5's salt */
  salt?: Buffer;
  /** the client closed its socket (or the front did) */
  closed: boolean;
}

export interface Front {
  host: string;
  port: number;
  /** every connection accepted, in order, as far as it got */
  connections: FrontConnection[];
  /** a URL for this front (database, user and parameters of the test server's URL unless given) */
  url(database?: string, query?: string): string;
  close(): Promise<void>;
}

/** Reads whole packets from a socket (or the TLS socket that replaced it). */
class Reader {
  private buf = Buffer.alloc(0);
  private wake: (() => void) | undefined;
  constructor(private socket: net.Socket) {
    this.attach(socket);
  }
  attach(socket: net.Socket): void {
    this.release();
    this.socket = socket;
    socket.on('data', (d: Buffer) => {
      this.buf = Buffer.concat([this.buf, d]);
      this.wake?.();
    });
  }
  /** stops reading: the bytes that follow are someone else's */
  release(): void {
    this.socket.removeAllListeners('data');
  }
  async take(n: number): Promise<Buffer> {
    while (this.buf.length < n) await new Promise<void>((r) => (this.wake = r));
    const out = this.buf.subarray(0, n);
    this.buf = this.buf.subarray(n);
    return out;
  }
  /** a start-up packet (no type byte): the whole packet */
  async startup(): Promise<Buffer> {
    const len = (await this.take(4)).readInt32BE(0);
    return Buffer.concat([int32(len), await this.take(len - 4)]);
  }
  /** a typed message: its body */
  async message(): Promise<{ type: string; body: Buffer }> {
    const head = await this.take(5);
    return { type: String.fromCharCode(head[0]!), body: await this.take(head.readInt32BE(1) - 4) };
  }
}

const int32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
};
const auth = (code: number, extra: Buffer = Buffer.alloc(0)) =>
  Buffer.concat([Buffer.from('R'), int32(8 + extra.length), int32(code), extra]);

function startupParams(packet: Buffer): Record<string, string> {
  const parts = packet.subarray(8).toString('utf8').split('\0');
  const params: Record<string, string> = {};
  for (let i = 0; i + 1 < parts.length && parts[i] !== ''; i += 2) params[parts[i]!] = parts[i + 1]!;
  return params;
}

export async function startFront(options: FrontOptions = {}): Promise<Front> {
  const connections: FrontConnection[] = [];
  const sockets = new Set<net.Socket>();
  const upstream = new URL(PG_BASE_URL);
  const serve = async (socket: net.Socket) => {
    const conn: FrontConnection = { tls: false, params: {}, closed: false };
    connections.push(conn);
    socket.on('close', () => (conn.closed = true));
    if (options.hang === 'at once') return;
    const reader = new Reader(socket);
    let client: net.Socket = socket;
    let packet = await reader.startup();
    if (packet.readInt32BE(4) === SSL_REQUEST) {
      socket.write(options.tls ? 'S' : 'N');
      if (options.tls) {
        client = new tls.TLSSocket(socket, { isServer: true, ...options.tls });
        client.on('error', () => socket.destroy());
        sockets.add(client);
        reader.attach(client);
        conn.tls = true;
      }
      packet = await reader.startup();
    }
    if (options.hang === 'after SSLRequest') return;
    conn.params = startupParams(packet);
    if (options.password) {
      conn.salt = options.password === 'md5' ? crypto.randomBytes(4) : undefined;
      client.write(conn.salt ? auth(5, conn.salt) : auth(3));
      const m = await reader.message();
      conn.password = m.body.subarray(0, m.body.indexOf(0)).toString('utf8');
    }
    const server = net.connect(Number(upstream.port || 5432), upstream.hostname);
    sockets.add(server);
    server.on('error', () => client.destroy());
    client.on('close', () => server.destroy());
    server.on('close', () => client.destroy());
    server.write(packet);
    // from here on the bytes go straight through (the client sends nothing more until the server answers)
    reader.release();
    client.pipe(server);
    server.pipe(client);
  };
  const listener = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    serve(socket).catch(() => socket.destroy());
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => listener.once('error', reject).listen(0, host, resolve));
  const port = (listener.address() as net.AddressInfo).port;
  return {
    host,
    port,
    connections,
    url(database = decodeURIComponent(upstream.pathname.slice(1)), query = '') {
      const h = host.includes(':') ? `[${host}]` : host;
      return `postgres://${upstream.username || 'root'}@${h}:${port}/${database}${query ? `?${query}` : ''}`;
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => listener.close(() => resolve()));
    },
  };
}

/** md5 authentication's answer for a password (what a client that knew it would send). */
export function md5Answer(user: string, password: string, salt: Buffer): string {
  const md5 = (b: Buffer | string) => crypto.createHash('md5').update(b).digest('hex');
  return `md5${md5(Buffer.concat([Buffer.from(md5(password + user)), salt]))}`;
}
