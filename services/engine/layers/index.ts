// Keras layers and activations tfjs-layers lacks, registered for (de)serialisation so imported
// Keras models that use them build, train and export. Imported for its side effects by the
// engine's backend module, so every process that builds models (API, worker, plugin workers)
// has them.
import './hard-swish.ts';
import './subtract.ts';
import './spatial-dropout.ts';
import './normalization.ts';
import './masked-pooling.ts';
import './gru-reset-after.ts';
import './lsh-projection.ts'; // host-provided layers of plugins' candidates (the SDK's HOST_LAYERS)
