/// Operator table; see OperatorRegistry.
enum TensorOperators {
    static let table: [OperatorKey: OperatorKernel] = [:]
}
