/** Tables of the remind issue (the notices ledger). */
export interface NoticeTables {}
