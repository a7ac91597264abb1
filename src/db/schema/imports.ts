/** Tables of the import issue (batches and what each batch changed, for undo). */
export interface ImportTables {}
