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

    /// Operators that read and check their attributes once per session instead of once per
    /// run (tree ensembles flatten their trees). Each also has a plain entry in ``kernels``.
    static let preparers: [OperatorKey: OperatorPreparer] = MachineLearningOperators.preparers
        .merging(NeuralNetworkOperators.preparers) { _, _ in preconditionFailure("operator prepared twice") }

    /// The kernel for `node`, or nil when its operator is not supported.
    public static func kernel(for node: Node) -> OperatorKernel? {
        kernels[OperatorKey(node.canonicalDomain, node.opType)]
    }

    /// The kernel for `node` made ready for many runs: prepared from the node's attributes when
    /// the operator has a preparer (so attribute errors surface when a session is made), else
    /// the plain kernel. Nil when the operator is not supported.
    static func preparedKernel(for node: Node, opsetVersion: Int) throws(ModelError) -> OperatorKernel? {
        let key = OperatorKey(node.canonicalDomain, node.opType)
        if let prepare = preparers[key] {
            return try prepare(OperatorContext(node: node, opsetVersion: opsetVersion, pool: nil))
        }
        return kernels[key]
    }
}

/// Builds a node's kernel once from its attributes (the context's pool is nil at that point).
typealias OperatorPreparer = @Sendable (OperatorContext) throws(ModelError) -> OperatorKernel
