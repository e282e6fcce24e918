// Public API of evaluation and measurement.
export { BINARY_THRESHOLD, ClassificationAccumulator, rocAuc, type ClassificationMetrics } from './classification-metrics.ts';
export { evaluateModel, evaluateTflite, type EvaluateOptions, type TfliteEvaluation } from './evaluate-model.ts';
export { countMacs, countParameters, type LayerMacs, type ParameterCount } from './model-stats.ts';
export { measureHostLatency, type LatencyStats } from '../runtime/latency.ts';
export { checkClassCount } from './class-count.ts';
export { downloadBytes, gzipForDownload, DOWNLOAD_GZIP_LEVEL } from './download-size.ts';
