// Candidate fields about delivery to apps: the metadata embedded in its .tflite file.
import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { readTfliteMetadata } from '../../engine/export/index.ts';
import type { ApiContext } from '../context.ts';
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
}
