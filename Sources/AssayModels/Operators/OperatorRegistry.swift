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

    /// Operators that prepare once per session instead of once per run: they read and check
    /// their attributes (tree ensembles flatten their trees), and may pre-process the inputs
    /// that are constants (initializers), such as packing weights. Each also has a plain entry
    /// in ``kernels``. A family adds its own table here (`MachineLearningOperators.preparers`).
    static let preparers: [OperatorKey: OperatorPreparer] = {
        var all: [OperatorKey: OperatorPreparer] = [:]
        for table in [MachineLearningOperators.preparers, NeuralNetworkOperators.preparers] {
            all.merge(table) { _, _ in preconditionFailure("operator prepared twice") }
        }
        return all
    }()

    /// The kernel for `node`, or nil when its operator is not supported.
    public static func kernel(for node: Node) -> OperatorKernel? {
        kernels[OperatorKey(node.canonicalDomain, node.opType)]
    }

    /// The kernel for `node` made ready for many runs: prepared from the node's attributes and
    /// constant inputs when the operator has a preparer (so attribute errors surface when a
    /// session is made), else the plain kernel. Nil when the operator is not supported.
    /// - Parameter constants: per node input, its value when it is a constant of the session
    ///   (an initializer), nil when it is computed per run or omitted.
    static func preparedKernel(for node: Node, opsetVersion: Int, constants: [ModelValue?] = []) throws(ModelError) -> OperatorKernel? {
        let key = OperatorKey(node.canonicalDomain, node.opType)
        if let prepare = preparers[key] {
            return try prepare(OperatorContext(node: node, opsetVersion: opsetVersion, pool: nil), constants)
        }
        return kernels[key]
    }
}

/// Builds a node's kernel once per session (the context's pool is nil at that point).
///
/// `constants` holds, per node input, the value when the input is a session constant (an
/// initializer), else nil; it may be shorter than the node's inputs (then the rest are nil).
/// The kernel it returns is called, run after run, with those same constant values among its
/// inputs, so it may keep work derived from them (packed weights) instead of redoing it; it must
/// give exactly the bits the plain kernel gives.
typealias OperatorPreparer = @Sendable (OperatorContext, _ constants: [ModelValue?]) throws(ModelError) -> OperatorKernel
