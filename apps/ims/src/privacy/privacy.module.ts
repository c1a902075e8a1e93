import { Module } from '@nestjs/common';
import { PrivacyEventsConsumer } from './privacy-events.consumer';

/** Privacy requests (#15): the IMS's receipt. */
@Module({ controllers: [PrivacyEventsConsumer] })
export class PrivacyModule {}
