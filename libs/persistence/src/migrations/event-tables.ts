import { OutboxInbox1764460800000 } from './1764460800000-OutboxInbox';
import { EventSequences1796524800000 } from './1796524800000-EventSequences';
import { OutboxNumberedAtInsert1796860800000 } from './1796860800000-OutboxNumberedAtInsert';
import { InboxPruning1796950000000 } from './1796950000000-InboxPruning';

/** The migrations of the outbox and the inbox, the same in every service's schema (TypeORM runs them by timestamp). */
export const EVENT_TABLE_MIGRATIONS = [
  OutboxInbox1764460800000,
  EventSequences1796524800000,
  OutboxNumberedAtInsert1796860800000,
  InboxPruning1796950000000,
];
