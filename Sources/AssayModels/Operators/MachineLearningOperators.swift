/// Operator table; see OperatorRegistry.
enum MachineLearningOperators {
    static let table: [OperatorKey: OperatorKernel] = [:]
}
