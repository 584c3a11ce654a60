import { Registry1764460800100 } from './1764460800100-Registry';
import { NamesAndContacts1764806400100 } from './1764806400100-NamesAndContacts';
import { ExchangeMapping1796526000100 } from './1796526000100-ExchangeMapping';

/** The registry's migrations after the shared outbox/inbox one, in order. */
export const REGISTRY_MIGRATIONS = [Registry1764460800100, NamesAndContacts1764806400100, ExchangeMapping1796526000100];
