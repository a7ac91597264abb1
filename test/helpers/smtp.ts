/**
 * A real SMTP server on 127.0.0.1 for the remind tests: it counts and keeps what it receives, can
 * refuse chosen recipients, and can hang after the message data (to provoke in-doubt deliveries) or
 * hold its answer until a gate opens (to act while a message is at the server).
 */
import { SMTPServer } from 'smtp-server';

export interface Received {
  from: string;
  to: string[];
  subject: string;
  /** the X-Acctmgr-Notices header: one reference per notice */
  refs: string[];
  text: string;
  raw: string;
}

export interface TestSmtp {
  port: number;
  url: string;
  messages: Received[];
  /** RCPT TO for these addresses gets 550 */
  reject: Set<string>;
  /** accept the data but never answer it */
  hang: boolean;
  /** answer the data only once this settles */
  gate?: Promise<void>;
  /** called when a message's data has arrived, before answering */
  onMessage?: (m: Received) => void | Promise<void>;
  /** SMTP connections clients opened so far */
  connections: number;
  close(): Promise<void>;
}

export async function startSmtp(): Promise<TestSmtp> {
  const state: TestSmtp = {
    port: 0,
    url: '',
    messages: [],
    reject: new Set(),
    hang: false,
    connections: 0,
    close: async () => undefined,
  };
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS', 'AUTH'],
    authOptional: true,
    logger: false,
    closeTimeout: 100,
    onConnect(_session, callback) {
      state.connections++;
      callback();
    },
    onRcptTo(address, _session, callback) {
      if (state.reject.has(address.address.toLowerCase())) {
        const err = Object.assign(new Error('mailbox unavailable'), { responseCode: 550 });
        return callback(err);
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const m = parseMessage(raw, session.envelope);
        const answer = () => {
          state.messages.push(m);
          callback();
        };
        void Promise.resolve(state.onMessage?.(m)).then(() => {
          if (state.hang) return; // never answer: the client times out after the data
          if (state.gate) void state.gate.then(answer);
          else answer();
        });
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.server.address();
  state.port = typeof address === 'object' && address ? address.port : 0;
  state.url = `smtp://127.0.0.1:${state.port}?ignoreTLS=true`;
  state.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return state;
}

type Envelope = { mailFrom: false | { address: string }; rcptTo: { address: string }[] };

function parseMessage(raw: string, envelope: Envelope): Received {
  const split = raw.indexOf('\r\n\r\n');
  const head = raw.slice(0, split).replace(/\r\n[ \t]+/g, ' ');
  const body = raw.slice(split + 4);
  const header = (name: string) => new RegExp(`^${name}: (.*)$`, 'im').exec(head)?.[1] ?? '';
  const encoding = header('Content-Transfer-Encoding').toLowerCase();
  return {
    from: envelope.mailFrom ? envelope.mailFrom.address : '',
    to: envelope.rcptTo.map((r) => r.address),
    subject: decodeWords(header('Subject')),
    refs: header('X-Acctmgr-Notices')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    text: encoding === 'base64' ? Buffer.from(body, 'base64').toString('utf8') : encoding === 'quoted-printable' ? decodeQp(body) : body,
    raw,
  };
}

function decodeQp(s: string): string {
  const bytes = s.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/gi, (_, h: string) => `%${h}`);
  return decodeURIComponent(bytes.replace(/%(?![0-9A-F]{2})/gi, '%25'));
}

function decodeWords(s: string): string {
  return s
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?utf-8\?([BQ])\?([^?]*)\?=/gi, (_, enc: string, text: string) =>
      enc.toUpperCase() === 'B' ? Buffer.from(text, 'base64').toString('utf8') : decodeQp(text.replace(/_/g, ' ')),
    );
}
