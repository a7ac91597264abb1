/**
 * SMTP delivery through nodemailer. Configuration comes from the environment (ACCTMGR_SMTP_URL,
 * ACCTMGR_MAIL_FROM, ACCTMGR_SMTP_TIMEOUT_MS) or a JSON config file, never from the command line, so
 * secrets stay out of `ps` and shell history.
 *
 * The outcome of one message is sent (the server answered 2xx to the data), failed (the server
 * refused, or the connection failed before the message data went out) or in_doubt (the data went out
 * but no answer came back: the server may have accepted it, so it must not be retried blindly).
 */
import { domainToASCII } from 'node:url';
import { invalid } from '../errors.js';
import { configString, readConfig } from '../lib/config.js';
import type { Digest } from './digest.js';

export interface MailConfig {
  smtpUrl: string;
  from: string;
  timeoutMs: number;
}

export interface MailConfigResult {
  config?: MailConfig;
  /** what is missing, when config is undefined */
  missing: string[];
  /** the sender, also when the SMTP URL is missing (`remind --preview-email` shows it) */
  from?: string;
  warnings: string[];
  file: string;
}

const DEFAULT_TIMEOUT_MS = 60_000;

/** The environment wins over the config file (src/lib/config.ts), key by key. */
export function readMailConfig(env: NodeJS.ProcessEnv): MailConfigResult {
  const file = readConfig(env);
  const warnings = file.shared ? [`${file.path} is readable by other users; it may hold the SMTP password (chmod 600 it)`] : [];
  const smtpUrl = env.ACCTMGR_SMTP_URL || configString(file, 'smtp_url');
  const from = env.ACCTMGR_MAIL_FROM || configString(file, 'mail_from');
  const timeoutRaw = env.ACCTMGR_SMTP_TIMEOUT_MS || file.values.smtp_timeout_ms;
  const timeoutMs = timeoutRaw === undefined || timeoutRaw === '' ? DEFAULT_TIMEOUT_MS : Number(timeoutRaw);
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0)
    throw invalid('smtp_timeout_ms', timeoutRaw, 'must be a positive whole number of milliseconds');
  const missing = [...(smtpUrl ? [] : ['ACCTMGR_SMTP_URL (smtp_url)']), ...(from ? [] : ['ACCTMGR_MAIL_FROM (mail_from)'])];
  return {
    config: missing.length === 0 ? { smtpUrl: smtpUrl!, from: from!, timeoutMs } : undefined,
    missing,
    warnings,
    file: file.path,
    ...(from ? { from } : {}),
  };
}

/**
 * What became of one message. `refused`: the server accepted the message for its addressee but refused its
 * copy (Cc) — the notice is sent (sending it again would reach the addressee twice); which copy and why.
 */
export type Outcome = { status: 'sent'; response: string; refused?: string } | { status: 'failed' | 'in_doubt'; reason: string };

interface SmtpError extends Error {
  code?: string;
  response?: string;
  responseCode?: number;
}

/** A run's deliveries, one message after another over one SMTP connection (see openMailer). */
export interface Mailer {
  /** Sends one message and says what became of it (sent, failed or in_doubt). */
  deliver(digest: Digest): Promise<Outcome>;
  /** Closes the connection (call it once the run's last message went out, whatever happened). */
  close(): void;
}

/**
 * Messages to be sent one after another over one SMTP connection, kept open between them and opened again
 * after MESSAGES_PER_CONNECTION messages or when the server closed it: the greeting, TLS handshake and login
 * happen once for many digests, not once for each (1,233 digests into a local server took 181 s with a
 * connection each, ≈ 123 s of them waiting for its greeting). Each message's outcome is its own: whether
 * the server invited its data (354) is watched from the moment it is handed over, so a connection lost
 * before that fails only that message, and one lost after leaves only that message in doubt.
 */
export async function openMailer(config: MailConfig): Promise<Mailer> {
  const nodemailer = (await import('nodemailer')).default;
  // The transaction log tells whether the server invited the message data (354): after that, a lost
  // connection or a timeout leaves the message in doubt instead of failed. One message at a time.
  let dataInvited = false;
  const watch = (_entry: unknown, message: unknown) => {
    if (typeof message === 'string' && /^354\b/.test(message)) dataInvited = true;
  };
  const transport = nodemailer.createTransport({
    url: config.smtpUrl,
    pool: true,
    maxConnections: 1,
    maxMessages: MESSAGES_PER_CONNECTION,
    socketTimeout: config.timeoutMs,
    greetingTimeout: config.timeoutMs,
    connectionTimeout: config.timeoutMs,
    transactionLog: true,
    logger: {
      level: () => undefined,
      trace: () => undefined,
      debug: watch,
      info: () => undefined,
      warn: () => undefined,
      error: () => undefined,
      fatal: () => undefined,
    },
  } as Parameters<typeof nodemailer.createTransport>[0]);
  return {
    async deliver(digest) {
      dataInvited = false;
      try {
        const info = (await transport.sendMail({
          from: config.from,
          to: { name: digest.to.name, address: digest.to.email },
          ...(digest.cc ? { cc: { name: digest.cc.name, address: digest.cc.email } } : {}),
          subject: digest.subject,
          text: digest.text,
          headers: { 'X-Acctmgr-Notices': digest.refs.join(', ') },
        })) as SentInfo;
        return sentOutcome(digest, info);
      } catch (e) {
        const err = e as SmtpError;
        const reason = [err.code, err.response ?? err.message].filter(Boolean).join(': ');
        // the server answered the message data: it refused it, so nothing was accepted
        if (err.code === 'EMESSAGE' || !dataInvited) return { status: 'failed', reason };
        return { status: 'in_doubt', reason: `no answer after the message data (${reason})` };
      }
    },
    close: () => transport.close(),
  };
}

/** What nodemailer says of a message the server accepted for at least one of its recipients. */
interface SentInfo {
  rejected: string[];
  rejectedErrors?: { recipient?: string; response?: string; message: string }[];
  response: string;
}

/**
 * A message accepted for some of its recipients: failed when the server refused its addressee (To), whatever
 * became of the copy; sent when it refused only the copy (Cc), which `refused` names with the server's answer.
 */
export function sentOutcome(digest: Pick<Digest, 'to' | 'cc'>, info: SentInfo): Outcome {
  if (info.rejected.length === 0) return { status: 'sent', response: info.response };
  const why = (address: string) => {
    const e = info.rejectedErrors?.find((x) => x.recipient === address);
    return `${address} was refused (${e?.response ?? e?.message ?? 'no reason given'})`;
  };
  const to = info.rejected.find((a) => sameMailbox(a, digest.to.email));
  if (to !== undefined) return { status: 'failed', reason: why(to) };
  return { status: 'sent', response: info.response, refused: `the copy (Cc) to ${info.rejected.map(why).join(', ')}` };
}

/**
 * Whether an address of nodemailer's envelope is this one: it writes a domain as an A-label (`xn--…`) or
 * in Unicode depending on the local part, and keeps the rest.
 */
function sameMailbox(a: string, b: string): boolean {
  const split = (x: string) => {
    const at = x.lastIndexOf('@');
    return at < 0 ? [x, ''] : [x.slice(0, at), domainToASCII(x.slice(at + 1)) || x.slice(at + 1).toLowerCase()];
  };
  const [la, da] = split(a);
  const [lb, db] = split(b);
  return la === lb && da === db;
}

/** Messages sent over one connection before it is closed and another opened (nodemailer's default). */
const MESSAGES_PER_CONNECTION = 100;
