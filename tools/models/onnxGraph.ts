/**
 * Small builders over onnx-proto, enough to write the sample graphs by hand
 * (the same shapes torch.onnx.export would give, without needing Python).
 */
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;

/** onnx-proto 8 knows IR 8 at most; onnxruntime 1.30 loads IR 8 with opset 17. */
const IR_VERSION = 8;
const OPSET = 17;

export const FLOAT = onnx.TensorProto.DataType.FLOAT;
export const INT64 = onnx.TensorProto.DataType.INT64;

/** A dimension: a number is fixed, a string is a named dynamic axis such as 'batch'. */
export type Dim = number | string;

export type Node = InstanceType<typeof onnx.NodeProto>;
export type Tensor = InstanceType<typeof onnx.TensorProto>;
export type ValueInfo = InstanceType<typeof onnx.ValueInfoProto>;

/** A float32 initializer; values are stored little-endian in raw_data, as exporters do. */
export function floatTensor(name: string, dims: number[], values: Float32Array): Tensor {
  const expected = dims.reduce((a, b) => a * b, 1);
  if (values.length !== expected) throw new Error(`${name}: ${values.length} values for dims [${dims.join(', ')}]`);
  const raw = new Uint8Array(values.length * 4);
  const view = new DataView(raw.buffer);
  values.forEach((v, i) => view.setFloat32(i * 4, v, true));
  return onnx.TensorProto.create({ name, dims, dataType: FLOAT, rawData: raw });
}

/** A 1-D int64 initializer (axes for Unsqueeze / ReduceSum). */
export function int64Tensor(name: string, values: number[]): Tensor {
  const raw = new Uint8Array(values.length * 8);
  const view = new DataView(raw.buffer);
  values.forEach((v, i) => view.setBigInt64(i * 8, BigInt(v), true));
  return onnx.TensorProto.create({ name, dims: [values.length], dataType: INT64, rawData: raw });
}

/** An int attribute (`axis`, `to`, `keepdims`, `transB`). */
type Attributes = Record<string, number>;

export function node(opType: string, inputs: string[], outputs: string[], attributes: Attributes = {}): Node {
  const attribute = Object.entries(attributes).map(([name, i]) =>
    onnx.AttributeProto.create({ name, type: onnx.AttributeProto.AttributeType.INT, i }),
  );
  return onnx.NodeProto.create({ opType, input: inputs, output: outputs, name: outputs[0], attribute });
}

export function valueInfo(name: string, elemType: number, dims: Dim[]): ValueInfo {
  const dim = dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d }));
  return onnx.ValueInfoProto.create({ name, type: { tensorType: { elemType, shape: { dim } } } });
}

export interface GraphSpec {
  name: string;
  inputs: ValueInfo[];
  outputs: ValueInfo[];
  nodes: Node[];
  initializers: Tensor[];
}

/** Serialises a model; protobuf encoding is deterministic for the same spec. */
export function encodeModel(spec: GraphSpec): Uint8Array {
  const graph = onnx.GraphProto.create({
    name: spec.name,
    input: spec.inputs,
    output: spec.outputs,
    node: spec.nodes,
    initializer: spec.initializers,
  });
  const model = onnx.ModelProto.create({
    irVersion: IR_VERSION,
    opsetImport: [{ domain: '', version: OPSET }],
    producerName: 'vial tools/models',
    graph,
  });
  return onnx.ModelProto.encode(model).finish();
}
