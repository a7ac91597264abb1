/** `--rejects FILE`: the rejected rows as they were, plus an `error` column, re-importable once fixed. */
import fs from 'node:fs';

function quote(cell: string): string {
  return /[",\r\n]/.test(cell) || cell !== cell.trim() ? `"${cell.replace(/"/g, '""')}"` : cell;
}

export class RejectsWriter {
  private fd: number;
  private buf: string[] = [];
  private width = 0;

  constructor(readonly path: string) {
    this.fd = fs.openSync(path, 'w', 0o600);
  }

  header(cells: readonly string[]): void {
    this.width = cells.length;
    this.push([...cells, 'error']);
  }

  /** The error goes under its header; cells past the header's width (a row too long) follow it, kept. */
  row(cells: readonly string[], error: string): void {
    const padded = cells.length < this.width ? [...cells, ...Array<string>(this.width - cells.length).fill('')] : cells.slice(0, this.width);
    this.push([...padded, error, ...cells.slice(this.width)]);
  }

  private push(cells: readonly string[]): void {
    this.buf.push(`${cells.map(quote).join(',')}\n`);
    if (this.buf.length >= 1000) this.flush();
  }

  private flush(): void {
    if (this.buf.length > 0) fs.writeSync(this.fd, this.buf.join(''));
    this.buf = [];
  }

  close(): void {
    this.flush();
    fs.closeSync(this.fd);
  }
}
