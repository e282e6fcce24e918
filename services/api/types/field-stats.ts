// GraphQL shape of what devices report about a candidate (services/delivery/field-stats.ts).
import { Field, Float, Int, ObjectType } from 'type-graphql';
import type { FieldStatsSummary } from '../../delivery/field-stats.ts';
import { DateTime } from './common.ts';

@ObjectType({ description: 'Device reports on a candidate over one device class, or over all devices.' })
export class FieldStats {
  @Field(() => String, { nullable: true, description: 'The device class the apps sent (X-Condense-Device-Class); null over all devices.' })
  deviceClass!: string | null;

  @Field(() => Int, { description: 'Reports counted (one per model session).' })
  reports!: number;

  @Field(() => Float, { description: 'Inferences the reports cover.' })
  inferences!: number;

  @Field(() => Float, { description: 'Failed inferences or loads.' })
  failures!: number;

  @Field(() => Float, { nullable: true, description: 'Median over inferences of the devices\' p50 latency, ms (±12 %: log-spaced buckets); null without latency reports.' })
  latencyP50Ms!: number | null;

  @Field(() => Float, { nullable: true, description: 'Median over inferences of the devices\' p90 latency, ms (±12 %).' })
  latencyP90Ms!: number | null;

  @Field(() => Float, { nullable: true, description: 'Mean time to load the model on the device, ms.' })
  loadMeanMs!: number | null;

  @Field(() => Float, { nullable: true, description: 'failures / (inferences + failures); null before any report of either.' })
  failureRate!: number | null;

  @Field(() => Float, { description: 'Labelled answers reported as correctness feedback.' })
  feedbackTotal!: number;

  @Field(() => Float, { nullable: true, description: 'Share of the feedback that was correct; null without feedback.' })
  feedbackAccuracy!: number | null;

  @Field(() => DateTime, { description: 'When the last report was counted.' })
  updatedAt!: Date;

  static from(summary: FieldStatsSummary): FieldStats {
    return Object.assign(new FieldStats(), summary);
  }
}

@ObjectType({ description: 'What apps report about a published candidate on real devices (POST /v1/projects/:id/telemetry).' })
export class CandidateFieldStats {
  @Field(() => FieldStats, { description: 'Over all devices.' })
  overall!: FieldStats;

  @Field(() => [FieldStats], { description: 'Per device class, most reports first.' })
  byDeviceClass!: FieldStats[];
}
