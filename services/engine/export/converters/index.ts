// Registers the built-in Keras layer converters (import for side effects).
import './conv.ts';
import './core.ts';
import './merge.ts';
import './pooling.ts';
import './lsh-projection.ts';
import './embedding.ts';
import './activations.ts';
import './spatial.ts';
import './elementwise.ts';
import './recurrent.ts';
