// The host-provided layers plugins may put in their candidates (the SDK's HOST_LAYERS), registered
// for (de)serialisation in every process that loads models: the server and runner load and export
// such candidates with these classes (and the exporter's converters), never with plugin code.
import * as tf from '@tensorflow/tfjs';
import { lshProjectionLayerClass } from '../../../plugins/sdk/src/text/index.ts';

tf.serialization.registerClass(lshProjectionLayerClass(tf) as unknown as Parameters<typeof tf.serialization.registerClass>[0]);
