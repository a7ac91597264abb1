/**
 * The rules for product, plan and price values beyond their field types, shared by the commands and
 * the importer: each `check*` coerces raw values (command-line strings or CSV cells), applies every
 * rule and throws one InvalidDataError naming every bad field and value; the `*Problem` functions judge
 * references the caller has resolved.
 */
import { InvalidDataError, type FieldProblem } from '../errors.js';
import { checkOne, clearedFields, missingFields } from '../lib/checks.js';
import { coerceAll, toCents, type FieldSpec, type FieldValue } from '../lib/fields.js';
import { PLAN_FIELDS, PRICE_FIELDS, PRODUCT_FIELDS, STUDENTS_FIELD, TERM_FIELD } from './fields.js';
import type { PlanRecord, ProductRecord } from './records.js';

/** A checked product: exactly what `--json` prints of one. */
export type ProductValues = ProductRecord;

/** A checked plan: exactly what `--json` prints of one. */
export type PlanValues = PlanRecord;

export interface PriceValues {
  plan: string;
  /** null: any number of students (the flat row) */
  max_students: number | null;
  term_months: number;
  amount_cents: number;
}

/** `add` needs every required field; `edit` checks only the given ones and refuses to clear required ones. */
export type CheckMode = 'add' | 'edit';

// codes are typed on command lines and used as import keys: no spaces or punctuation that needs quoting
const CODE_RE = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const CURRENCY_RE = /^[A-Za-z]{3}$/;
const CURRENCIES = currencyList();

function currencyList(): Set<string> | undefined {
  const list = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('currency') : [];
  // a Node built without full ICU knows only a few currencies: then the shape check alone applies
  return list.length > 100 ? new Set(list) : undefined;
}

export function checkProduct(input: Record<string, unknown>, mode: CheckMode = 'add'): Partial<ProductValues> {
  return checked(PRODUCT_FIELDS, input, mode, (v, p) => checkCode(v, p));
}

export function checkPlan(input: Record<string, unknown>, mode: CheckMode = 'add'): Partial<PlanValues> {
  return checked(PLAN_FIELDS, input, mode, (v, p) => {
    checkCode(v, p);
    checkCode(v, p, 'product');
    checkCurrency(v, p);
    // the same module twice says nothing more; keep the first spelling and the order given
    if (Array.isArray(v.modules)) v.modules = [...new Set(v.modules)];
  });
}

/** A price row: amount becomes integer cents (never a float), max_students null is the flat row. */
export function checkPrice(input: Record<string, unknown>): PriceValues {
  const values = checked(PRICE_FIELDS, input, 'add', priceRules);
  return { ...priceKey(values), amount_cents: values.amount as number };
}

/** The key of a price row (plan, max_students, term_months), e.g. to remove one. */
export function checkPriceKey(input: Record<string, unknown>): Omit<PriceValues, 'amount_cents'> {
  const specs = PRICE_FIELDS.filter((f) => f.name !== 'amount');
  const { amount: _ignored, ...rest } = input;
  return priceKey(checked(specs, rest, 'add', priceRules));
}

function priceKey(values: Record<string, FieldValue>): Omit<PriceValues, 'amount_cents'> {
  return {
    plan: values.plan as string,
    max_students: (values.max_students as number | null | undefined) ?? null,
    term_months: values.term_months as number,
  };
}

function priceRules(v: Record<string, FieldValue>): void {
  if (typeof v.amount === 'string') {
    // within 2^53 − 1 cents: coerce's money rule
    v.amount = toCents(v.amount);
  }
}

/** A currency value (plans, trainings) as an ISO 4217 code, upper-cased in `values`; a problem otherwise. */
export function checkCurrency(values: Record<string, FieldValue>, problems: FieldProblem[]): void {
  const cur = values.currency;
  if (typeof cur !== 'string') return;
  if (!CURRENCY_RE.test(cur)) problems.push({ field: 'currency', value: cur, rule: 'must be a three-letter ISO 4217 code, e.g. EUR' });
  else if (CURRENCIES && !CURRENCIES.has(cur.toUpperCase()))
    problems.push({ field: 'currency', value: cur, rule: 'is not an ISO 4217 currency code' });
  else values.currency = cur.toUpperCase();
}

function checkCode(values: Record<string, FieldValue>, problems: FieldProblem[], field = 'code'): void {
  const code = values[field];
  if (typeof code === 'string' && !CODE_RE.test(code)) {
    problems.push({ field, value: code, rule: 'may contain only letters, digits, ".", "_" and "-" (starting with a letter or digit)' });
  }
}

function checked(
  specs: readonly FieldSpec[],
  input: Record<string, unknown>,
  mode: CheckMode,
  rules: (values: Record<string, FieldValue>, problems: FieldProblem[]) => void,
): Record<string, FieldValue> {
  const { values, problems } = coerceAll(specs, input);
  rules(values, problems);
  problems.push(...(mode === 'add' ? missingFields(specs, values, problems) : clearedFields(specs, values)));
  if (problems.length > 0) {
    const order = (p: FieldProblem) => specs.findIndex((f) => f.name === p.field);
    throw new InvalidDataError(problems.sort((a, b) => order(a) - order(b)));
  }
  return values;
}

/** A term in months given on its own (`renew --term`, a price quote): one of TERMS. */
export function checkTerm(months: number, field = TERM_FIELD.name): number {
  return checkOne(TERM_FIELD, months, field) as number;
}

/** A number of students given on its own (`renew --students`, a price quote): at least 1. */
export function checkStudents(students: number, field = STUDENTS_FIELD.name): number {
  return checkOne(STUDENTS_FIELD, students, field) as number;
}

/** A product given beside a plan (`given` as written) must be the plan's own product. */
export function planProductProblem(
  given: string,
  product: { id: number },
  planProduct: { id: number; code: string },
): FieldProblem | undefined {
  return product.id === planProduct.id
    ? undefined
    : { field: 'product', value: given, rule: `the plan belongs to product ${planProduct.code}` };
}

/**
 * A stored plan keeps its currency, as `plans edit` (which has no --currency) does: its price rows and
 * its subscriptions' stored prices are amounts in it. `given` as written, `currency` checked (upper case).
 */
export function planCurrencyProblem(given: string, currency: string, stored: string): FieldProblem | undefined {
  return currency === stored
    ? undefined
    : { field: 'currency', value: given, rule: `differs from the plan's currency ${stored}: a plan's currency cannot change` };
}

/** A subscription changes plan (renewal, upgrade) only within its product. */
export function otherProductPlan(given: string | undefined, plan: { product_id: number }, productId: number): FieldProblem | undefined {
  return plan.product_id === productId ? undefined : { field: 'plan', value: given, rule: 'is a plan of another product' };
}
