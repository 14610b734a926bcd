extension MachineLearningOperators {
    /// `X · Wᵀ + b` in float32, each dot product summed in feature order, then the intercept.
    static func linearScores(_ x: [Float], rows: Int, columns: Int, coefficients: [Float], intercepts: [Float], targets: Int) -> [Float] {
        var scores = [Float](repeating: 0, count: rows * targets)
        for r in 0..<rows {
            for t in 0..<targets {
                var s: Float = 0
                for c in 0..<columns { s += x[r * columns + c] * coefficients[t * columns + c] }
                scores[r * targets + t] = s + (intercepts.isEmpty ? 0 : intercepts[t])
            }
        }
        return scores
    }

    /// LinearClassifier: scores `X · Wᵀ + b`, the label of the largest raw score (first on
    /// ties), then `post_transform` on the scores. With one score per row the label is the
    /// positive class when the score is above 0, and with two class labels the output gets a
    /// second column `[1 − s, s]`, as ONNX Runtime does.
    static let linearClassifier: OperatorKernel = { context, inputs throws(ModelError) in
        let (x, shape) = try context.floatValues(inputs, 0)
        let (rows, columns) = try rowsAndColumns(shape, context)
        let coefficients = try context.floats("coefficients")
        let intercepts = try context.floats("intercepts", default: [])
        let transform = try PostTransform(context)
        let intLabels = try context.ints("classlabels_ints", default: [])
        let stringLabels = try context.strings("classlabels_strings", default: [])
        let usesStrings = !stringLabels.isEmpty
        let labelCount = usesStrings ? stringLabels.count : intLabels.count

        let classes = intercepts.isEmpty ? (columns > 0 ? coefficients.count / columns : 0) : intercepts.count
        let (size, overflow) = classes.multipliedReportingOverflow(by: columns)
        guard classes > 0, !overflow, coefficients.count == size, ModelTensor.elementCount([rows, classes]) != nil else {
            throw context.error("coefficients has \(coefficients.count) values, expected \(classes) classes × \(columns) features")
        }
        guard classes == 1 || labelCount >= classes else {
            throw context.error("\(classes) classes but \(labelCount) class labels")
        }
        let scores = linearScores(x, rows: rows, columns: columns, coefficients: coefficients, intercepts: intercepts, targets: classes)

        var labelIndex = [Int](repeating: 0, count: rows)
        if classes == 1 {
            for r in 0..<rows { labelIndex[r] = scores[r] > 0 ? 1 : 0 }
        } else {
            for r in 0..<rows {
                var best = scores[r * classes]
                var bestIndex = 0
                for k in 1..<classes where scores[r * classes + k] > best {
                    best = scores[r * classes + k]
                    bestIndex = k
                }
                labelIndex[r] = bestIndex
            }
        }
        let labels: ModelValue
        if usesStrings {
            let names = classes == 1 && labelCount != 2 ? ["0", "1"] : stringLabels
            labels = try context.output(.string, shape: [rows], .string(labelIndex.map { names[$0] }))
        } else {
            let values: [Int64] = classes == 1 && labelCount != 2 ? [0, 1] : intLabels
            labels = try context.output(.int64, shape: [rows], .int64(labelIndex.map { values[$0] }))
        }

        let addSecondClass = classes == 1 && labelCount == 2
        var out: [Float]
        if classes > 1 {
            out = scores
            for r in 0..<rows { transform.applyToRow(&out[(r * classes)..<((r + 1) * classes)]) }
        } else if transform == .probit {
            out = scores.map(PostTransform.probit)
        } else if addSecondClass {
            out = scores.flatMap { [1 - $0, $0] }
        } else {
            out = scores
        }
        return [labels, try context.output(.float32, shape: [rows, addSecondClass ? 2 : classes], .float(out))]
    }

    /// LinearRegressor: `X · Wᵀ + b` for `targets` outputs, then `post_transform` (with one
    /// target only PROBIT applies, as in ONNX Runtime).
    static let linearRegressor: OperatorKernel = { context, inputs throws(ModelError) in
        let (x, shape) = try context.floatValues(inputs, 0)
        let (rows, columns) = try rowsAndColumns(shape, context)
        let coefficients = try context.floats("coefficients")
        let intercepts = try context.floats("intercepts", default: [])
        let targetCount = try context.int("targets", default: 1)
        guard targetCount > 0, let targets = Int(exactly: targetCount) else { throw context.error("targets must be positive, got \(targetCount)") }
        let transform = try PostTransform(context)
        let (size, overflow) = targets.multipliedReportingOverflow(by: columns)
        guard !overflow, coefficients.count == size, ModelTensor.elementCount([rows, targets]) != nil else {
            throw context.error("coefficients has \(coefficients.count) values, expected \(targets) targets × \(columns) features")
        }
        guard intercepts.isEmpty || intercepts.count == targets else {
            throw context.error("intercepts has \(intercepts.count) values, expected \(targets)")
        }
        var out = linearScores(x, rows: rows, columns: columns, coefficients: coefficients, intercepts: intercepts, targets: targets)
        if targets > 1 {
            for r in 0..<rows { transform.applyToRow(&out[(r * targets)..<((r + 1) * targets)]) }
        } else if transform == .probit {
            out = out.map(PostTransform.probit)
        }
        return [try context.output(.float32, shape: [rows, targets], .float(out))]
    }
}
