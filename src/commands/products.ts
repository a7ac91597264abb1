import type { Command } from 'commander';
import type { Io } from '../io.js';
import { UsageError } from '../errors.js';
import { PRODUCT_FIELDS } from '../plans/fields.js';
import { addFieldOptions, addLoop, formatOption, readFieldInput } from './field-options.js';
import { act } from './session.js';

const EDITABLE = PRODUCT_FIELDS.filter((f) => f.name === 'name');

export function registerProducts(program: Command, io: Io): void {
  const products = program.command('products').description('products that subscriptions are sold for (a subject site, an e-diary …)');

  addFieldOptions(products.command('add').description('add a product'), PRODUCT_FIELDS)
    .addHelpText('after', '\nExample:\n  acctmgr products add --code EDIARY --name "E-diary"')
    .action(
      act(io, async (s) => {
        const { addProduct } = await import('../plans/products.js');
        await addLoop(s, PRODUCT_FIELDS, 'product', async (input) => {
          const record = await s.tx((db) => addProduct(db, s.op(), input));
          await s.changed(record.code, record);
        });
      }),
    );

  products
    .command('list')
    .description('list products')
    .addOption(formatOption())
    .addHelpText('after', '\nExample:\n  acctmgr products list --format csv')
    .action(
      act(io, async (s) => {
        const { listProducts } = await import('../plans/products.js');
        await s.list(await listProducts(await s.db()), ['code', 'name']);
      }),
    );

  products
    .command('show <code>')
    .description('show a product with its plans')
    .addHelpText('after', '\nExample:\n  acctmgr products show EDIARY --json')
    .action(
      act(io, async (s, code) => {
        const { showProduct } = await import('../plans/products.js');
        const details = await showProduct(await s.db(), code);
        if (s.format === 'json') return s.show(details);
        const { plans, ...product } = details;
        await s.show(product);
        await s.list(plans, ['code', 'name', 'currency', 'modules', 'legacy']);
      }),
    );

  addFieldOptions(products.command('edit <code>').description("change a product's name (the code is its key)"), EDITABLE)
    .addHelpText('after', '\nExample:\n  acctmgr products edit EDIARY --name "E-diary for schools"')
    .action(
      act(io, async (s, code) => {
        const { editProduct } = await import('../plans/products.js');
        const input = readFieldInput(s.opts, EDITABLE);
        if (Object.keys(input).length === 0) throw new UsageError('nothing to change: give --name');
        const record = await s.tx((db) => editProduct(db, s.op(), code, input));
        await s.changed(record.code, record);
      }),
    );
}
