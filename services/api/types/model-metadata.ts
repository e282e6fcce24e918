// GraphQL shape of the standard TFLite metadata embedded in a candidate's .tflite file.
import { Field, Float, ObjectType } from 'type-graphql';
import type { TfliteMetadata } from '../../engine/export/index.ts';

@ObjectType({ description: 'Input normalisation: the model expects (x − mean) / std of the raw values (per channel, or one value for all).' })
export class InputNormalization {
  @Field(() => [Float], { description: 'Mean per channel.' })
  mean!: number[];

  @Field(() => [Float], { description: 'Standard deviation per channel.' })
  std!: number[];
}

@ObjectType({ description: 'The model input as the metadata describes it.' })
export class ModelInputMetadata {
  @Field(() => String, { description: 'Tensor name in the metadata: image, features or text.' })
  name!: string;

  @Field(() => String, { description: 'What to feed.' })
  description!: string;

  @Field(() => String, { nullable: true, description: 'GRAYSCALE or RGB for image inputs.' })
  colorSpace!: string | null;

  @Field(() => InputNormalization, { nullable: true, description: 'Normalisation to apply to raw values (null: feed them as they are).' })
  normalization!: InputNormalization | null;
}

@ObjectType({ description: 'The model output as the metadata describes it.' })
export class ModelOutputMetadata {
  @Field(() => String, { description: 'probabilities, logits or values.' })
  kind!: string;

  @Field(() => String, { description: 'What the output means.' })
  description!: string;

  @Field(() => [String], { description: 'Class names, index = output position (the labels.txt associated file).' })
  labels!: string[];
}

@ObjectType({ description: 'Standard TFLite metadata (TFLITE_METADATA buffer) of a .tflite file.' })
export class ModelMetadata {
  @Field(() => String, { description: 'Model name.' })
  name!: string;

  @Field(() => String, { description: 'Version string: v<model version>+<candidate key>.' })
  version!: string;

  @Field(() => String, { description: 'What the model is and how it was made.' })
  description!: string;

  @Field(() => String, { description: 'Author.' })
  author!: string;

  @Field(() => ModelInputMetadata, { description: 'The input.' })
  input!: ModelInputMetadata;

  @Field(() => ModelOutputMetadata, { description: 'The output.' })
  output!: ModelOutputMetadata;

  static from(meta: TfliteMetadata): ModelMetadata {
    return Object.assign(new ModelMetadata(), meta);
  }
}
