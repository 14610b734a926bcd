/// Operator table; see OperatorRegistry.
///
/// The ai.onnx operators that move, select and convert elements without arithmetic:
/// ArgMax, Cast, Concat, Constant, Gather, Identity, Reshape, Shape, Squeeze, Unsqueeze.
enum TensorOperators {
    static let table: [OperatorKey: OperatorKernel] = [
        OperatorKey("", "ArgMax"): argMax,
        OperatorKey("", "Cast"): cast,
        OperatorKey("", "Concat"): concat,
        OperatorKey("", "Constant"): constant,
        OperatorKey("", "Gather"): gather,
        OperatorKey("", "Identity"): identity,
        OperatorKey("", "Reshape"): reshape,
        OperatorKey("", "Shape"): shape,
        OperatorKey("", "Squeeze"): squeeze,
        OperatorKey("", "Unsqueeze"): unsqueeze,
    ]

    /// The elements of an int64 (or int32) input such as a shape or an axes list.
    static func integers(_ context: OperatorContext, _ inputs: [ModelValue?], _ index: Int) throws(ModelError) -> [Int64] {
        let t = try context.tensor(inputs, index)
        guard let v = t.int64s, t.elementType == .int64 || t.elementType == .int32 else {
            throw context.error("input \(index) should be int64, got \(t.elementType)")
        }
        return v
    }
}
