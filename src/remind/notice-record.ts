/** A notice as `remind --json` prints it, whatever its kind: the managers' notices and the customers'. */
import type { CustomerNotice } from './customer.js';
import type { DueNotice } from './due.js';
import type { ManagerChangedNotice } from './manager-changed.js';

/** A notice as `remind --json` prints it. */
export interface NoticeRecord {
  kind: string;
  stage: string;
  due_date: string;
  recipient_login: string;
  recipient_email: string;
  account_external_id: string;
  /** null: a customer notice of an invoice that bills no subscription (a training's), or of a manager change */
  subscription_external_id: string | null;
  contact_email: string | null;
  account_name: string;
  /** null for customer notices (invoices, manager changes): they are not about a subscription's term */
  product: string | null;
  plan: string | null;
  end_date: string | null;
  contact_name: string | null;
  idle_since: string | null;
  activation_code: string | null;
  /** the invoice of a customer notice (invoice-issued, invoice-paid, invoice-overdue), else null */
  invoice_number: string | null;
  /** due (preview), sent, failed, in_doubt or skipped (customer emails off) */
  status: string;
  reason: string | null;
}

export function toNoticeRecord(n: DueNotice, status: string, reason: string | null = null): NoticeRecord {
  return {
    kind: n.kind,
    stage: n.stage,
    due_date: n.due_date,
    recipient_login: n.recipient.login,
    recipient_email: n.recipient.email,
    account_external_id: n.sub.account_external_id,
    subscription_external_id: n.sub.external_id,
    contact_email: n.contact_email,
    account_name: n.sub.account_name,
    product: n.sub.product,
    plan: n.sub.plan,
    end_date: n.sub.end_date,
    contact_name: n.contact_name,
    idle_since: n.kind === 'dormancy' ? n.cycle : null,
    activation_code: n.kind === 'activation' ? n.sub.activation_code : null,
    invoice_number: null,
    status,
    reason,
  };
}

/** What a notice to a customer names besides its kind and stage (it has no seat, product or plan of its own). */
interface CustomerRefs {
  account_external_id: string;
  account_name: string;
  subscription_external_id: string | null;
  invoice_number: string | null;
}

/**
 * A customer's notice: the customer contact it goes to is its `contact_email` and `contact_name` (as the
 * ledger records it); it has no manager's login, product, plan or end date.
 */
function customerRecord(n: CustomerNotice | ManagerChangedNotice, refs: CustomerRefs, status: string, reason: string | null): NoticeRecord {
  return {
    kind: n.kind,
    stage: n.stage,
    due_date: n.due_date,
    recipient_login: '',
    recipient_email: n.recipient.email,
    account_external_id: refs.account_external_id,
    subscription_external_id: refs.subscription_external_id || null,
    contact_email: n.recipient.email || null,
    account_name: refs.account_name,
    product: null,
    plan: null,
    end_date: null,
    contact_name: n.recipient.name,
    idle_since: null,
    activation_code: null,
    invoice_number: refs.invoice_number,
    status: n.skip ? 'skipped' : status,
    reason: n.skip ?? reason,
  };
}

export function toCustomerRecord(n: CustomerNotice, status: string, reason: string | null = null): NoticeRecord {
  const i = n.invoice;
  const refs = { ...i, invoice_number: i.number };
  return customerRecord(n, refs, status, reason);
}

export function toManagerChangedRecord(n: ManagerChangedNotice, status: string, reason: string | null = null): NoticeRecord {
  const refs = { account_external_id: n.account.external_id, account_name: n.account.name, subscription_external_id: null };
  return customerRecord(n, { ...refs, invoice_number: null }, status, reason);
}
