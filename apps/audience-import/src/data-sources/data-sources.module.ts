import { Global, Module } from '@nestjs/common';
import { DataSourceCopiesModule } from '@audience-hub/platform';
import { DataSourcesRepository } from './data-sources.repository';

@Global()
@Module({ imports: [DataSourceCopiesModule], providers: [DataSourcesRepository], exports: [DataSourcesRepository] })
export class DataSourcesModule {}
