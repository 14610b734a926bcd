/// Operator table; see OperatorRegistry.
///
/// The ai.onnx.ml operators scikit-learn models export to: linear models, scaling, tree
/// ensembles, ZipMap and ArrayFeatureExtractor. Each follows ONNX Runtime's CPU kernel for the
/// cases the ONNX spec leaves open (binary classifiers, base values), so outputs match it.
enum MachineLearningOperators {
    static let table: [OperatorKey: OperatorKernel] = [
        OperatorKey("ai.onnx.ml", "ArrayFeatureExtractor"): arrayFeatureExtractor,
        OperatorKey("ai.onnx.ml", "LinearClassifier"): linearClassifier,
        OperatorKey("ai.onnx.ml", "LinearRegressor"): linearRegressor,
        OperatorKey("ai.onnx.ml", "Normalizer"): normalizer,
        OperatorKey("ai.onnx.ml", "Scaler"): scaler,
        OperatorKey("ai.onnx.ml", "TreeEnsembleClassifier"): { context, inputs throws(ModelError) in
            try prepareTreeEnsembleClassifier(context, [])(context, inputs)
        },
        OperatorKey("ai.onnx.ml", "TreeEnsembleRegressor"): { context, inputs throws(ModelError) in
            try prepareTreeEnsembleRegressor(context, [])(context, inputs)
        },
        OperatorKey("ai.onnx.ml", "ZipMap"): zipMap,
    ]

    /// Tree ensembles flatten their trees once per session.
    static let preparers: [OperatorKey: OperatorPreparer] = [
        OperatorKey("ai.onnx.ml", "TreeEnsembleClassifier"): prepareTreeEnsembleClassifier,
        OperatorKey("ai.onnx.ml", "TreeEnsembleRegressor"): prepareTreeEnsembleRegressor,
    ]

    /// Rows and columns of a model input: `[N, C]`, or `[C]` as one row.
    static func rowsAndColumns(_ shape: [Int], _ context: OperatorContext) throws(ModelError) -> (rows: Int, columns: Int) {
        switch shape.count {
        case 1: return (1, shape[0])
        case 2: return (shape[0], shape[1])
        default: throw context.error("input should have shape [N, C] or [C], got \(shape)")
        }
    }
}
