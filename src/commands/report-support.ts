/** The bodies of `acctmgr report …`: options to a service, then the renderer (usage streams CSV and JSON). */
import { CsvStream, JsonArrayStream } from '../output/stream.js';
import { sparkline } from '../output/sparkline.js';
import { USAGE_COLUMNS, usageRows, type UsageRow } from '../reports/usage.js';
import type { Session } from './session.js';

export async function usageAction(s: Session): Promise<void> {
  const h = await s.open();
  const rows = usageRows(h, s.asOf, s.strings('account', 'subscription', 'manager', 'from', 'to'));
  // the first row (or the end) before any output: a bad filter fails with nothing on stdout
  const it = rows[Symbol.asyncIterator]();
  let next = await it.next();
  const write = (chunk: string) => s.io.out(chunk);
  if (s.format === 'csv' || s.format === 'json') {
    const out = s.format === 'csv' ? new CsvStream(write, USAGE_COLUMNS) : new JsonArrayStream(write);
    for (; !next.done; next = await it.next()) {
      const r: UsageRow = next.value;
      if (out instanceof CsvStream) out.add(USAGE_COLUMNS.map((c) => r[c]));
      else out.add(r);
    }
    out.end();
    return;
  }
  const records: Record<string, unknown>[] = [];
  const bars = s.io.stdoutIsTTY;
  let logins: number[] = [];
  const trend = () => {
    if (bars && logins.length > 0) records.push({ month: 'trend', logins: sparkline(logins) });
    logins = [];
  };
  let last: UsageRow | undefined;
  for (; !next.done; next = await it.next()) {
    const r = next.value;
    if (last && last.subscription_external_id !== r.subscription_external_id) trend();
    records.push({ ...r });
    logins.push(r.logins);
    last = r;
  }
  trend();
  await s.list(records, [...USAGE_COLUMNS]);
}

export async function renewalsAction(s: Session): Promise<void> {
  const { renewalsReport, RENEWALS_COLUMNS, RENEWALS_FIELDS } = await import('../reports/renewals.js');
  const rows = await renewalsReport(await s.db(), s.asOf, { months: s.opts.months as number | undefined, ...s.strings('manager') });
  await s.list(rows, s.format === 'table' ? [...RENEWALS_COLUMNS] : undefined, RENEWALS_FIELDS);
}

export async function managersAction(s: Session): Promise<void> {
  const { managersReport, MANAGERS_COLUMNS, MANAGERS_FIELDS } = await import('../reports/managers.js');
  await s.list(await managersReport(await s.db(), s.asOf), s.format === 'table' ? [...MANAGERS_COLUMNS] : undefined, MANAGERS_FIELDS);
}

export async function htmlAction(s: Session): Promise<void> {
  const { writeHtmlReport } = await import('./report-html.js');
  const out = s.opts.out as string;
  const { refuseDatabaseOutput } = await import('../lib/output-file.js');
  refuseDatabaseOutput([out], s.target().target);
  await writeHtmlReport(await s.open(), s.asOf, out, s.strings('manager').manager);
  s.message(`wrote the report for ${s.asOf} to ${out}`);
}
