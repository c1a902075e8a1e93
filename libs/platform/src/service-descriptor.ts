import type { MigrationInterface } from 'typeorm';

/** What makes one service itself: its name, the schema it owns, its default port, its migrations. */
export interface ServiceDescriptor {
  name: 'ims' | 'id-reconciliation' | 'audience-import' | 'audience-export';
  schema: string;
  defaultPort: number;
  title: string;
  description: string;
  migrations: Array<new () => MigrationInterface>;
  /**
   * It holds data subjects' identifiers (privacy requests erase them): its outbox relay keeps no
   * content of a sent row. Only ims holds none.
   */
  holdsSubjectIdentifiers: boolean;
}
