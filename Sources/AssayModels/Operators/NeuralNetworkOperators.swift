/// The neural-network operators of the default ONNX domain, for float32 tensors with a batch
/// dimension (and int64 for the four arithmetic operators).
///
/// Each kernel follows the ONNX operator specification for opsets 7 to 21, including the
/// attribute variants exporters emit for older opsets (``OperatorContext/opsetVersion`` picks
/// them). The arithmetic of every kernel is fixed and documented on the kernel, so outputs are
/// bit-identical across runs, thread counts and builds; see the Determinism article.
///
/// Bad attributes and inputs (wrong ranks, shapes that do not fit, negative pads, zero strides,
/// a group that does not divide the channels) throw ``ModelError/node(name:opType:problem:)``.
enum NeuralNetworkOperators {
    static let table: [OperatorKey: OperatorKernel] = [
        OperatorKey("", "Add"): { c, i throws(ModelError) in try arithmetic(c, i, .add) },
        OperatorKey("", "Sub"): { c, i throws(ModelError) in try arithmetic(c, i, .subtract) },
        OperatorKey("", "Mul"): { c, i throws(ModelError) in try arithmetic(c, i, .multiply) },
        OperatorKey("", "Div"): { c, i throws(ModelError) in try arithmetic(c, i, .divide) },
        OperatorKey("", "Relu"): { c, i throws(ModelError) in try relu(c, i) },
        OperatorKey("", "LeakyRelu"): { c, i throws(ModelError) in try leakyRelu(c, i) },
        OperatorKey("", "Sigmoid"): { c, i throws(ModelError) in try sigmoid(c, i) },
        OperatorKey("", "Tanh"): { c, i throws(ModelError) in try tanh(c, i) },
        OperatorKey("", "Clip"): { c, i throws(ModelError) in try clip(c, i) },
        OperatorKey("", "Softmax"): { c, i throws(ModelError) in try softmax(c, i, logarithm: false) },
        OperatorKey("", "LogSoftmax"): { c, i throws(ModelError) in try softmax(c, i, logarithm: true) },
        OperatorKey("", "Gemm"): { c, i throws(ModelError) in try gemm(c, i) },
        OperatorKey("", "MatMul"): { c, i throws(ModelError) in try matMul(c, i) },
        OperatorKey("", "Conv"): { c, i throws(ModelError) in try conv(c, i) },
        OperatorKey("", "BatchNormalization"): { c, i throws(ModelError) in try batchNormalization(c, i) },
        OperatorKey("", "MaxPool"): { c, i throws(ModelError) in try maxPool(c, i) },
        OperatorKey("", "AveragePool"): { c, i throws(ModelError) in try averagePool(c, i) },
        OperatorKey("", "GlobalAveragePool"): { c, i throws(ModelError) in try globalPool(c, i, average: true) },
        OperatorKey("", "GlobalMaxPool"): { c, i throws(ModelError) in try globalPool(c, i, average: false) },
        OperatorKey("", "Flatten"): { c, i throws(ModelError) in try flatten(c, i) },
        OperatorKey("", "Transpose"): { c, i throws(ModelError) in try transpose(c, i) },
        OperatorKey("", "Pad"): { c, i throws(ModelError) in try pad(c, i) },
    ]

    /// Operators prepared once per session (Conv keeps its packed weights between runs).
    static let preparers: [OperatorKey: OperatorPreparer] = [
        OperatorKey("", "Conv"): prepareConv,
    ]

    /// The largest number of elements an output may have (2³¹); larger outputs come only from
    /// absurd attributes, and are refused before any memory is taken.
    static let maximumElements = 1 << 31

    /// The largest magnitude accepted for a size-like attribute (pads, strides, kernel sides,
    /// dilations), so that index arithmetic can never overflow.
    static let maximumAttribute: Int64 = 1 << 24

    /// A float32 output value.
    static func floatValue(_ values: [Float], _ shape: [Int]) -> ModelValue {
        .tensor(ModelTensor(float: values, shape: shape))
    }

    /// The element count of `shape`, or an error when it is too large.
    static func checkedCount(_ context: OperatorContext, _ shape: [Int]) throws(ModelError) -> Int {
        guard let count = ModelTensor.elementCount(shape), count <= maximumElements else {
            throw context.error("the output shape \(shape) is too large (more than 2^31 elements). Check the node's attributes")
        }
        return count
    }

    /// Converts an axis attribute in `[-rank, rank + extra)` to `[0, rank + extra)`.
    static func normalizedAxis(_ context: OperatorContext, _ axis: Int64, rank: Int, name: String = "axis", extra: Int = 0) throws(ModelError) -> Int {
        guard axis >= Int64(-rank), axis < Int64(rank + extra) else {
            throw context.error("attribute '\(name)' = \(axis) is outside [\(-rank), \(rank + extra - 1)] for an input of rank \(rank)")
        }
        return Int(axis < 0 ? axis + Int64(rank) : axis)
    }
}
