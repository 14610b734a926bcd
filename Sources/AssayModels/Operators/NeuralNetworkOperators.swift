/// Operator table; see OperatorRegistry.
enum NeuralNetworkOperators {
    static let table: [OperatorKey: OperatorKernel] = [:]
}
