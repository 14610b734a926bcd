/// Every operator the runtime supports, by domain and type.
///
/// Each family lists its kernels in a table of its own (`NeuralNetworkOperators.table`,
/// `TensorOperators.table`, `MachineLearningOperators.table`); the registry merges them.
public enum OperatorRegistry {
    public static let kernels: [OperatorKey: OperatorKernel] = {
        var all: [OperatorKey: OperatorKernel] = [:]
        for table in [NeuralNetworkOperators.table, TensorOperators.table, MachineLearningOperators.table] {
            all.merge(table) { _, _ in preconditionFailure("operator registered twice") }
        }
        return all
    }()

    /// The kernel for `node`, or nil when its operator is not supported.
    public static func kernel(for node: Node) -> OperatorKernel? {
        kernels[OperatorKey(node.canonicalDomain, node.opType)]
    }
}
