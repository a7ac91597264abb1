/**
 * A run's messages go over one SMTP connection kept open between them (src/remind/mailer.ts openMailer),
 * and each message's outcome stays its own: a refused recipient fails that message only, a message whose
 * data went out unanswered is in doubt, and the next one goes out on a new connection. Against a real
 * SMTP server on 127.0.0.1 (test/helpers/smtp.ts). No database: the same on both projects.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Digest } from '../../src/remind/digest.js';
import { openMailer, sentOutcome } from '../../src/remind/mailer.js';
import { startSmtp, type TestSmtp } from '../helpers/smtp.js';

const digest = (email: string, n: number): Digest => ({
  to: { login: 'anna', email, name: 'Anna' },
  subject: `digest ${n}`,
  text: `notice ${n}`,
  refs: [`renewal/renewal-2w/SUB-${n}`],
});

describe('openMailer', () => {
  let smtp: TestSmtp;
  beforeEach(async () => {
    smtp = await startSmtp();
  });
  afterEach(async () => {
    await smtp.close();
  });

  it('sends a run’s messages over one connection; a refused recipient fails only its own message', async () => {
    smtp.reject.add('gone@vendor.example');
    const mailer = await openMailer({ smtpUrl: smtp.url, from: 'reminders@vendor.example', timeoutMs: 5000 });
    try {
      const outcomes = [];
      for (const [i, to] of ['a@vendor.example', 'gone@vendor.example', 'b@vendor.example', 'c@vendor.example'].entries())
        outcomes.push((await mailer.deliver(digest(to, i))).status);
      expect(outcomes).toEqual(['sent', 'failed', 'sent', 'sent']);
    } finally {
      mailer.close();
    }
    expect(smtp.messages.map((m) => m.subject)).toEqual(['digest 0', 'digest 2', 'digest 3']);
    expect(smtp.connections).toBe(1);
  });

  it('a message to a customer whose copy (Cc) the server refuses is sent, naming the copy; one whose addressee it refuses failed', async () => {
    smtp.reject.add('manager@vendor.example');
    const mailer = await openMailer({ smtpUrl: smtp.url, from: 'reminders@vendor.example', timeoutMs: 5000 });
    const withCc = (to: string): Digest => ({ ...digest(to, 1), cc: { login: 'm', email: 'manager@vendor.example', name: 'M' } });
    try {
      expect(await mailer.deliver(withCc('customer@school.example'))).toMatchObject({
        status: 'sent',
        refused: 'the copy (Cc) to manager@vendor.example was refused (550 mailbox unavailable)',
      });
      smtp.reject.delete('manager@vendor.example');
      smtp.reject.add('gone@school.example');
      expect(await mailer.deliver(withCc('gone@school.example'))).toEqual({
        status: 'failed',
        reason: 'gone@school.example was refused (550 mailbox unavailable)',
      });
    } finally {
      mailer.close();
    }
    // the copy of the failed one went out: the next run sends both again (the customer's is what counts)
    expect(smtp.messages.map((m) => m.to)).toEqual([['customer@school.example'], ['manager@vendor.example']]);
  });

  it('the addressee is told from the copy whichever way the envelope writes its domain (an A-label or Unicode)', () => {
    const message = { to: { login: '', email: 'ivan@училище.bg', name: 'Иван' }, cc: { login: 'm', email: 'm@vendor.example', name: 'M' } };
    const info = (rejected: string) => ({ rejected: [rejected], response: '250 queued' });
    expect(sentOutcome(message, info('ivan@xn--e1afal2byar.bg')).status).toBe('failed');
    expect(sentOutcome(message, info('ivan@УЧИЛИЩЕ.bg')).status).toBe('failed');
    expect(sentOutcome(message, info('m@vendor.example'))).toMatchObject({
      status: 'sent',
      refused: 'the copy (Cc) to m@vendor.example was refused (no reason given)',
    });
    expect(sentOutcome(message, { rejected: [], response: '250 queued' })).toEqual({ status: 'sent', response: '250 queued' });
  });

  it('a message whose data went out unanswered is in doubt; the next one goes out on a new connection', async () => {
    const mailer = await openMailer({ smtpUrl: smtp.url, from: 'reminders@vendor.example', timeoutMs: 500 });
    try {
      expect((await mailer.deliver(digest('a@vendor.example', 1))).status).toBe('sent');
      smtp.hang = true;
      const doubt = await mailer.deliver(digest('b@vendor.example', 2));
      expect(doubt).toMatchObject({ status: 'in_doubt' });
      smtp.hang = false;
      expect((await mailer.deliver(digest('c@vendor.example', 3))).status).toBe('sent');
    } finally {
      mailer.close();
    }
    expect(smtp.messages.map((m) => m.subject)).toEqual(['digest 1', 'digest 3']);
    expect(smtp.connections).toBe(2);
  });
});
