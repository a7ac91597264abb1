/**
 * Pure rules of requests, shared by the service and the importer: the key, the status moves and who may
 * raise a request on a contact's behalf.
 */
import { numberedKey } from '../lib/numbered-key.js';
import { REQUEST_STATUSES, type RequestStatus } from './fields.js';

/** REQ-000001 … : the key of a request. */
export const REQUEST_KEY = numberedKey('REQ', 'request', 'list requests with: acctmgr requests list --account ID');
export const requestKey = REQUEST_KEY.key;
export const requestNumber = REQUEST_KEY.number;

export type RequestMove = 'edit' | 'close' | 'reopen';

/** What can be done from a status, in words (the refusal names them). */
export function allowedMoves(from: RequestStatus): string {
  switch (from) {
    case 'open':
      return 'edit --status in_progress|resolved, close';
    case 'in_progress':
      return 'edit --status resolved, close';
    case 'resolved':
      return 'close, reopen';
    case 'closed':
      return 'reopen';
  }
}

/**
 * Why a request cannot go from `from` to `to` by `move`, or undefined: `edit --status` moves forward
 * one or more steps (open → in_progress → resolved), `close` closes from any state, `reopen` puts a
 * resolved or closed one back to open.
 */
export function moveProblem(key: string, from: RequestStatus, to: RequestStatus, move: RequestMove): string | undefined {
  const ok =
    move === 'close'
      ? from !== 'closed'
      : move === 'reopen'
        ? from === 'resolved' || from === 'closed'
        : to !== 'closed' && to !== 'open' && REQUEST_STATUSES.indexOf(to) > REQUEST_STATUSES.indexOf(from);
  if (ok) return undefined;
  return `request ${key} is ${from}: ${move === 'edit' ? `it cannot move to ${to}` : `it cannot be ${move === 'close' ? 'closed' : 'reopened'}`}; allowed: ${allowedMoves(from)}`;
}

/**
 * A manager may raise a request on a contact's behalf only when the setting manager-requests is on and
 * they manage the account or one of its subscriptions, or on that day back up one who does.
 */
export function onBehalfProblem(
  login: string,
  accountExternalId: string,
  setting: string,
  associated: ReadonlySet<string>,
  covering: ReadonlySet<string>,
  day: string,
): string | undefined {
  if (setting !== 'on')
    return 'raising requests on behalf of contacts is off (setting manager-requests); an administrator turns it on with: acctmgr settings set manager-requests on';
  if (associated.has(login) || covering.has(login)) return undefined;
  return `manager ${login} does not manage account ${accountExternalId} or one of its subscriptions, and is not on ${day} the backup of one who does`;
}
