/**
 * `report html`: the three reports as one page — each a chart (Chart.js) over totals and a table under
 * it — written through a temporary file renamed over the target (mode 0600), as every output file is.
 */
import type { DbHandle } from '../db/connection.js';
import { writeOutput } from '../lib/output-file.js';
import { renderHtmlPage, type HtmlPage } from '../output/html-report.js';
import { htmlReportData, TOP_ROWS, type HtmlReportData } from '../reports/html-data.js';
import { MANAGERS_COLUMNS } from '../reports/managers.js';
import { RENEWALS_COLUMNS } from '../reports/renewals.js';

const BLUE = '#2f6fd0';
const GREEN = '#2e9a5b';
const ORANGE = '#e08a1e';
const RED = '#c8413b';
const GREY = '#8a93a3';
const PURPLE = '#7b5cc4';

const axes = (left: string, right?: string) => ({
  y: { beginAtZero: true, title: { display: true, text: left } },
  ...(right
    ? { y1: { beginAtZero: true, position: 'right', grid: { drawOnChartArea: false }, title: { display: true, text: right } } }
    : {}),
});

function usageSection(d: HtmlReportData): HtmlPage['sections'][number] {
  const m = d.usage.months;
  const totals = m.reduce((t, r) => ({ logins: t.logins + r.logins }), { logins: 0 });
  const last = m[m.length - 1];
  return {
    title: 'Usage: logins and active teachers per month',
    note: `${d.usage.subscriptions} subscription(s) with a term in ${m[0]?.month ?? ''} … ${last?.month ?? ''}; seats, active teachers and dormant seats as in acctmgr report usage.`,
    chart: {
      id: 'usage-chart',
      config: {
        type: 'bar',
        data: {
          labels: m.map((r) => r.month),
          datasets: [
            { type: 'bar', label: 'logins', data: m.map((r) => r.logins), backgroundColor: BLUE, yAxisID: 'y' },
            {
              type: 'line',
              label: 'active teachers',
              data: m.map((r) => r.active_teachers),
              borderColor: GREEN,
              backgroundColor: GREEN,
              yAxisID: 'y1',
            },
            {
              type: 'line',
              label: 'dormant seats',
              data: m.map((r) => r.dormant),
              borderColor: GREY,
              backgroundColor: GREY,
              borderDash: [4, 3],
              yAxisID: 'y1',
            },
          ],
        },
        options: { maintainAspectRatio: false, scales: axes('logins', 'teachers / seats') },
      },
    },
    tables: [
      {
        caption: 'Totals per month',
        columns: ['month', 'subscriptions', 'seats', 'active_teachers', 'logins', 'dormant'],
        rows: m,
        footer: { month: 'total', logins: totals.logins },
      },
      {
        caption: `The ${TOP_ROWS} subscriptions with the most logins (seats, active teachers and dormant: their last month in the range)`,
        columns: ['subscription_external_id', 'account_external_id', 'manager_login', 'logins', 'seats', 'active_teachers', 'dormant'],
        rows: d.usage.top,
        footer: { subscription_external_id: `all ${d.usage.subscriptions}`, logins: totals.logins },
      },
    ],
  };
}

function renewalsSection(d: HtmlReportData): HtmlPage['sections'][number] {
  const months = [...new Set(d.renewals.map((r) => r.month))];
  const currencies = [...new Set(d.renewals.map((r) => r.currency))];
  const sum = (month: string, key: 'ending' | 'renewed' | 'at_risk') =>
    d.renewals.filter((r) => r.month === month).reduce((n, r) => n + r[key], 0);
  const palette = [ORANGE, PURPLE, GREY, GREEN];
  const total = (key: 'ending' | 'renewed' | 'at_risk') => d.renewals.reduce((n, r) => n + r[key], 0);
  return {
    title: 'Renewals: subscriptions ending and their value per month',
    note: 'At risk: no successor, and more than half of the seats dormant or no done activity in the last 90 days.',
    chart: {
      id: 'renewals-chart',
      config: {
        type: 'bar',
        data: {
          labels: months,
          datasets: [
            { type: 'bar', label: 'renewed', data: months.map((m) => sum(m, 'renewed')), backgroundColor: GREEN, stack: 'n', yAxisID: 'y' },
            { type: 'bar', label: 'at risk', data: months.map((m) => sum(m, 'at_risk')), backgroundColor: RED, stack: 'n', yAxisID: 'y' },
            {
              type: 'bar',
              label: 'other',
              data: months.map((m) => sum(m, 'ending') - sum(m, 'renewed') - sum(m, 'at_risk')),
              backgroundColor: BLUE,
              stack: 'n',
              yAxisID: 'y',
            },
            ...currencies.map((c, i) => ({
              type: 'line',
              label: `value ${c}`,
              data: months.map((m) => (d.renewals.find((r) => r.month === m && r.currency === c)?.value_cents ?? 0) / 100),
              borderColor: palette[i % palette.length],
              backgroundColor: palette[i % palette.length],
              yAxisID: 'y1',
            })),
          ],
        },
        options: { maintainAspectRatio: false, scales: { ...axes('subscriptions ending', 'value'), x: { stacked: true } } },
      },
    },
    tables: [
      {
        columns: RENEWALS_COLUMNS,
        rows: d.renewals,
        footer: { month: 'total', ending: total('ending'), renewed: total('renewed'), at_risk: total('at_risk') },
      },
    ],
  };
}

function managersSection(d: HtmlReportData): HtmlPage['sections'][number] {
  const rows = d.managers;
  const series = [
    ['running', BLUE],
    ['renewals_6w', ORANGE],
    ['notices_due', PURPLE],
    ['overdue', RED],
  ] as const;
  return {
    title: 'Managers: load on the day',
    note: 'Running subscriptions, renewals ending in the next 6 weeks, notices due today after leave routing, overdue planned activities.',
    chart: {
      id: 'managers-chart',
      config: {
        type: 'bar',
        data: {
          labels: rows.map((r) => r.login),
          datasets: series.map(([key, color]) => ({ label: key, data: rows.map((r) => r[key]), backgroundColor: color })),
        },
        options: { maintainAspectRatio: false, scales: axes('count') },
      },
    },
    tables: [{ columns: MANAGERS_COLUMNS, rows }],
  };
}

export function htmlPage(d: HtmlReportData): HtmlPage {
  return {
    title: 'acctmgr report',
    subtitle: `As of ${d.as_of}${d.manager ? `, subscriptions managed by ${d.manager}` : ''}.`,
    sections: [usageSection(d), renewalsSection(d), managersSection(d)],
  };
}

export async function writeHtmlReport(h: DbHandle, asOf: string, out: string, manager?: string): Promise<void> {
  // the target is checked (a directory, a symlink …: exit 2) before anything is read
  await writeOutput(out, async (write) => write(renderHtmlPage(htmlPage(await htmlReportData(h, asOf, manager)))));
}
