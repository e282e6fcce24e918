// Candidate fields about delivery to apps: the metadata embedded in its .tflite file, and what
// devices report about it (field statistics).
import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { readTfliteMetadata } from '../../engine/export/index.ts';
import { fieldStatsOf } from '../../delivery/field-stats.ts';
import type { ApiContext } from '../context.ts';
import { CandidateFieldStats, FieldStats } from '../types/field-stats.ts';
import { ModelMetadata } from '../types/model-metadata.ts';
import { Candidate } from '../types/run.ts';

@Resolver(() => Candidate)
export class CandidateDeliveryResolver {
  @FieldResolver(() => ModelMetadata, { nullable: true, description: 'Standard TFLite metadata read from the .tflite file (null when there is no file, or it carries none or none readable).' })
  async metadata(@Root() candidate: Candidate, @Ctx() context: ApiContext): Promise<ModelMetadata | null> {
    if (!candidate.tfliteSha256) return null;
    const bytes = await context.services.blobs.read(candidate.tfliteSha256);
    try {
      const meta = readTfliteMetadata(bytes);
      return meta ? ModelMetadata.from(meta) : null;
    } catch (error) {
      context.services.log(`candidate ${candidate.uuid}: unreadable TFLite metadata: ${(error as Error).message}`);
      return null;
    }
  }

  @FieldResolver(() => CandidateFieldStats, { nullable: true, description: 'What apps report about this candidate on real devices: latency, load time, failures and correctness feedback, over all devices and per device class (null before the first report).' })
  async fieldStats(@Root() candidate: Candidate, @Ctx() context: ApiContext): Promise<CandidateFieldStats | null> {
    const stats = fieldStatsOf(await context.loaders.fieldStats().load(candidate.uuid));
    if (!stats) return null;
    return Object.assign(new CandidateFieldStats(), { overall: FieldStats.from(stats.overall), byDeviceClass: stats.byDeviceClass.map(FieldStats.from) });
  }
}
