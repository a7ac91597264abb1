import type { Generated, Selectable } from '#kysely';

export interface ManagerLeavesTable {
  id: Generated<number>;
  manager_id: number;
  backup_id: number;
  from_date: string;
  until_date: string | null;
  created_at: string;
}
export type ManagerLeaveRow = Selectable<ManagerLeavesTable>;
