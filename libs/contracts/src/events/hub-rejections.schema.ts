import { z } from 'zod';

export const HubRejectionEventTypes = {
  hubEventRejected: 'hub.event.rejected',
} as const;

export const EventRejectedDataSchema = z.object({
  topic: z.string().min(1, 'topic must not be empty'),
  partition: z.number().int('partition must be an integer').min(0, 'partition must be >= 0'),
  // Kafka offsets are int64: a string keeps them exact.
  offset: z.string().regex(/^[0-9]+$/, 'offset must be a decimal string'),
  consumerGroup: z.string().min(1, 'consumerGroup must not be empty'),
  // Only what could be read from the rejected message: it may not even have a valid id.
  eventId: z.string().optional(),
  eventType: z.string().optional(),
  reason: z
    .string()
    .min(1, 'reason must not be empty')
    .regex(/^[^\r\n]*$/, 'reason must be a single line'),
  errors: z.array(z.string()),
});
