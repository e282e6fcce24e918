#!/usr/bin/python3
"""Runs a .tflite model with Arm NN (Debian python3-pyarmnn, CpuRef backend).

Usage: armnn_runner.py MODEL.tflite INPUT.f32 COUNT OUTPUT.f32
INPUT.f32 holds COUNT samples as little-endian float32; each is run at batch 1 (quantized first
when the model input is integer). OUTPUT.f32 receives the float32 outputs (dequantized), in order.
Prints one JSON line: {"outputShape": [...], "inputType": ..., "outputType": ...}.
Errors: one line on stderr, exit code 2.
"""
import json
import sys


def fail(message):
    sys.stderr.write(message.strip().splitlines()[-1] if message.strip() else 'Arm NN failed')
    sys.stderr.write('\n')
    sys.exit(2)


def main():
    if len(sys.argv) != 5:
        fail('usage: armnn_runner.py MODEL INPUT COUNT OUTPUT')
    model_path, input_path, count, output_path = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    import io
    import contextlib
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        import numpy as np
        import pyarmnn as ann

    parser = ann.ITfLiteParser()
    try:
        network = parser.CreateNetworkFromBinaryFile(model_path)
    except Exception as e:  # noqa: BLE001 - report the parser's message as one line
        fail('Arm NN parser rejected the model: %s' % e)
    in_names = parser.GetSubgraphInputTensorNames(0)
    out_names = parser.GetSubgraphOutputTensorNames(0)
    if len(in_names) != 1 or len(out_names) != 1:
        fail('Arm NN runner supports single-input single-output models')
    in_binding = parser.GetNetworkInputBindingInfo(0, in_names[0])
    out_binding = parser.GetNetworkOutputBindingInfo(0, out_names[0])

    runtime = ann.IRuntime(ann.CreationOptions())
    try:
        optimized, _ = ann.Optimize(network, [ann.BackendId('CpuRef')], runtime.GetDeviceSpec(), ann.OptimizerOptions())
        net_id, _ = runtime.LoadNetwork(optimized)
    except Exception as e:  # noqa: BLE001
        fail('Arm NN could not load the model: %s' % e)

    in_info = in_binding[1]
    out_info = out_binding[1]
    in_shape = [in_info.GetShape()[i] for i in range(in_info.GetNumDimensions())]
    out_shape = [out_info.GetShape()[i] for i in range(out_info.GetNumDimensions())]
    sample = int(np.prod(in_shape))
    data = np.fromfile(input_path, dtype='<f4')
    if data.size != count * sample:
        fail('input has %d values, expected %d x %d' % (data.size, count, sample))
    in_type = in_info.GetDataType()
    quantized_in = in_type != ann.DataType_Float32
    quantized_out = out_info.GetDataType() != ann.DataType_Float32
    dtypes = {ann.DataType_QAsymmS8: np.int8, ann.DataType_QAsymmU8: np.uint8, ann.DataType_QSymmS8: np.int8}

    outputs = []
    for i in range(count):
        x = data[i * sample:(i + 1) * sample].reshape(in_shape)
        if quantized_in:
            dt = dtypes.get(in_type)
            if dt is None:
                fail('unsupported input type %s' % in_type)
            info = np.iinfo(dt)
            q = np.round(x / in_info.GetQuantizationScale()) + in_info.GetQuantizationOffset()
            x = np.clip(q, info.min, info.max).astype(dt)
        inputs = ann.make_input_tensors([in_binding], [x])
        outs = ann.make_output_tensors([out_binding])
        runtime.EnqueueWorkload(net_id, inputs, outs)
        y = ann.workload_tensors_to_ndarray(outs)[0].astype(np.float32)
        if quantized_out:
            y = (y - out_info.GetQuantizationOffset()) * out_info.GetQuantizationScale()
        outputs.append(y.reshape(-1))
    np.concatenate(outputs).astype('<f4').tofile(output_path)
    print(json.dumps({'outputShape': out_shape, 'inputType': int(in_type), 'outputType': int(out_info.GetDataType())}))


if __name__ == '__main__':
    main()
