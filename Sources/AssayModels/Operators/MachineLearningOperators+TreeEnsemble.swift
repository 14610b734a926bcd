extension MachineLearningOperators {
    /// Rows per block when evaluating tree ensembles on the pool. Fixed, so the cut never
    /// depends on the thread count (each row's result does not depend on the cut either).
    static let treeRowsPerBlock = 64

    /// The most outputs a regressor may declare (`n_targets`); a guard against a hostile
    /// model asking for outputs no memory can hold.
    static let maxTargets: Int64 = 1 << 20

    /// How a regressor combines its trees' leaf values (`aggregate_function`).
    enum Aggregate: String, Sendable {
        case sum = "SUM", average = "AVERAGE", min = "MIN", max = "MAX"
    }

    /// A row's running scores, one per output, with whether any tree has set each (ONNX
    /// Runtime reports 0 for an output no tree and no rule has set).
    struct Scores<S: BinaryFloatingPoint> {
        var value: [S]
        var has: [Bool]

        init(count: Int) {
            value = Array(repeating: 0, count: count)
            has = Array(repeating: false, count: count)
        }

        func output(_ i: Int) -> S { has[i] ? value[i] : 0 }

    }

    /// The running scores of a group of rows (at most ``TreeEnsemble/lockstepRows``), row after
    /// row. Trees are added one at a time to every row of the group, so each row's sum follows
    /// the tree order exactly while the rows' sums advance side by side.
    struct GroupScores<S: BinaryFloatingPoint> {
        var value: [S]
        var has: [Bool]
        let outputs: Int

        init(outputs: Int) {
            self.outputs = outputs
            value = Array(repeating: 0, count: TreeEnsemble.lockstepRows * outputs)
            has = Array(repeating: false, count: TreeEnsemble.lockstepRows * outputs)
        }

        /// Resets the scores, then adds, tree by tree in order, the weights of the leaf each
        /// tree gives each of `rows` rows (`leaves[t * stride + g]`), combined by `aggregate`.
        /// With `firstWeightOnly`, each leaf adds its first weight to output 0 (a one-target
        /// regressor, as ONNX Runtime reads it). Targets were checked when the trees were read.
        @inline(__always)
        mutating func fill(
            leaves: UnsafePointer<Int32>, stride: Int, rows: Int, trees: Int, nodes: UnsafeBufferPointer<TreeEnsemble.FlatNode>,
            targets: UnsafeBufferPointer<Int32>, weights: UnsafeBufferPointer<Double>,
            aggregate: Aggregate, firstWeightOnly: Bool
        ) {
            let outputs = self.outputs
            value.withUnsafeMutableBufferPointer { value in
                has.withUnsafeMutableBufferPointer { has in
                    for i in 0..<(rows * outputs) {
                        value[i] = 0
                        has[i] = false
                    }
                    @inline(__always)
                    func each(_ combine: (inout S, Bool, S) -> Void) {
                        for t in 0..<trees {
                            for g in 0..<rows {
                                let leaf = nodes[Int(leaves[t * stride + g])]
                                let start = Int(leaf.first)
                                if firstWeightOnly {
                                    combine(&value[g * outputs], has[g * outputs], S(weights[start]))
                                    has[g * outputs] = true
                                    continue
                                }
                                for w in start..<(start + Int(leaf.second)) {
                                    let c = g * outputs + Int(targets[w])
                                    combine(&value[c], has[c], S(weights[w]))
                                    has[c] = true
                                }
                            }
                        }
                    }
                    switch aggregate {
                    case .sum, .average: each { sum, _, v in sum += v }
                    case .min: each { m, has, v in if !has || v < m { m = v } }
                    case .max: each { m, has, v in if !has || v > m { m = v } }
                    }
                }
            }
        }

        /// Copies row `g` into `scores`.
        func copyRow(_ g: Int, into scores: inout Scores<S>) {
            for i in 0..<outputs {
                scores.value[i] = value[g * outputs + i]
                scores.has[i] = has[g * outputs + i]
            }
        }
    }

    // MARK: Preparation

    /// TreeEnsembleRegressor: sums (or averages, or takes the min or max of) each tree's leaf
    /// value per target, adds `base_values`, applies `post_transform`. Trees are summed in the
    /// order they are listed, per row; rows run in fixed blocks on the pool.
    static let prepareTreeEnsembleRegressor: OperatorPreparer = { context, _ throws(ModelError) in
        let targetCount = try context.int("n_targets", default: 1)
        guard targetCount > 0, targetCount <= maxTargets, let targets = Int(exactly: targetCount) else {
            throw context.error("n_targets must be between 1 and \(maxTargets), got \(targetCount)")
        }
        let ensemble = try TreeEnsemble(context, weightPrefix: "target", outputCount: targets)
        let aggregateName = try context.string("aggregate_function", default: "SUM")
        guard let aggregate = Aggregate(rawValue: aggregateName) else {
            throw context.error("aggregate_function '\(aggregateName)' is not SUM, AVERAGE, MIN or MAX")
        }
        let transform = try PostTransform(context)
        let (base, baseSingle) = try TreeEnsemble.values(context, "base_values", required: false)
        guard base.count <= 1 || base.count == targets else {
            throw context.error("base_values has \(base.count) values; expected 0, 1 or n_targets (\(targets))")
        }
        let double = !(ensemble.singlePrecision && baseSingle)
        return { context, inputs throws(ModelError) in
            let (rows, columns, features) = try treeInput(context, inputs, ensemble)
            let output: [Float]
            let inputIsDouble = try context.tensor(inputs, 0).elementType == .float64
            if double || inputIsDouble {
                output = evaluateRegressor(Double.self, ensemble, features, rows: rows, columns: columns, targets: targets,
                                           aggregate: aggregate, transform: transform, base: base, context: context)
            } else {
                output = evaluateRegressor(Float.self, ensemble, features, rows: rows, columns: columns, targets: targets,
                                           aggregate: aggregate, transform: transform, base: base, context: context)
            }
            return [try context.output(.float32, shape: [rows, targets], .float(output))]
        }
    }

    /// TreeEnsembleClassifier: sums each tree's leaf weights per class, adds `base_values`, picks
    /// the label and applies `post_transform`, following ONNX Runtime, including its binary
    /// rules: with two labels and weights on one class only, that class's score `s` gives
    /// `[1 − s, s]` (all weights positive, label by `s > 0.5`) or `[−s, s]`/logistic (mixed
    /// signs, label by `s > 0`).
    static let prepareTreeEnsembleClassifier: OperatorPreparer = { context, _ throws(ModelError) in
        let intLabels = try context.ints("classlabels_int64s", default: [])
        let stringLabels = try context.strings("classlabels_strings", default: [])
        guard intLabels.isEmpty != stringLabels.isEmpty else {
            throw context.error("needs exactly one of classlabels_int64s and classlabels_strings")
        }
        let classes = max(intLabels.count, stringLabels.count)
        guard classes >= 2 else { throw context.error("needs at least 2 class labels, got \(classes)") }
        let ensemble = try TreeEnsemble(context, weightPrefix: "class", outputCount: classes)
        let transform = try PostTransform(context)
        let (base, baseSingle) = try TreeEnsemble.values(context, "base_values", required: false)
        guard base.isEmpty || base.count == classes || (classes == 2 && base.count == 1) else {
            throw context.error("base_values has \(base.count) values; expected 0 or one per class (\(classes))")
        }
        let weightClasses = Set(ensemble.weightTargets)
        let rule = ClassifierRule(
            classes: classes,
            binaryCase: classes == 2 && weightClasses.count == 1,
            weightsAllPositive: ensemble.weightValues.allSatisfy { !($0 < 0) },
            transform: transform)
        let double = !(ensemble.singlePrecision && baseSingle)
        return { context, inputs throws(ModelError) in
            let (rows, columns, features) = try treeInput(context, inputs, ensemble)
            let result: (labels: [ClassifierLabel], scores: [Float])
            let inputIsDouble = try context.tensor(inputs, 0).elementType == .float64
            if double || inputIsDouble {
                result = evaluateClassifier(Double.self, ensemble, features, rows: rows, columns: columns, rule: rule, base: base, context: context)
            } else {
                result = evaluateClassifier(Float.self, ensemble, features, rows: rows, columns: columns, rule: rule, base: base, context: context)
            }
            let labels: ModelValue
            if stringLabels.isEmpty {
                labels = try context.output(.int64, shape: [rows], .int64(result.labels.map { $0.value(intLabels) }))
            } else {
                labels = try context.output(.string, shape: [rows], .string(result.labels.map { stringLabels[$0.index] }))
            }
            return [labels, try context.output(.float32, shape: [rows, classes], .float(result.scores))]
        }
    }

    /// The input as rows of features in the precision trees compare them: float32 thresholds
    /// compare against the feature as a float (so integers round to float first, as in C++),
    /// float64 thresholds against the feature as a double. Float32 features against float32
    /// thresholds stay float32 (the comparison is the same, and needs no copy).
    enum TreeFeatures: Sendable {
        case float([Float])
        case double([Double])

        /// Writes the leaf of every tree for `rows` into `out[tree * rows.count + k]`.
        func fillLeaves(_ ensemble: TreeEnsemble, rows: Range<Int>, columns: Int, out: UnsafeMutablePointer<Int32>) {
            switch self {
            case .float(let v):
                v.withUnsafeBufferPointer { ensemble.fillLeaves(ensemble.lockstepFloat, rows: rows, features: $0, columns: columns, out: out) }
            case .double(let v):
                v.withUnsafeBufferPointer { ensemble.fillLeaves(ensemble.lockstepDouble, rows: rows, features: $0, columns: columns, out: out) }
            }
        }
    }

    private static func treeInput(
        _ context: OperatorContext, _ inputs: [ModelValue?], _ ensemble: TreeEnsemble
    ) throws(ModelError) -> (rows: Int, columns: Int, features: TreeFeatures) {
        let x = try context.tensor(inputs, 0)
        let (rows, columns) = try rowsAndColumns(x.shape, context)
        guard rows.multipliedReportingOverflow(by: max(columns, Int(maxTargets))).overflow == false else {
            throw context.error("the input has too many rows (\(rows))")
        }
        guard ensemble.maxFeature < columns else {
            throw context.error("the trees read feature \(ensemble.maxFeature) but the input has \(columns) features")
        }
        let features: TreeFeatures
        switch x.storage {
        case .float(let v): features = ensemble.thresholdsSinglePrecision ? .float(v) : .double(v.map { Double($0) })
        case .double(let v): features = .double(v)
        case .int64(let v): features = .double(ensemble.singlePrecision ? v.map { Double(Float($0)) } : v.map { Double($0) })
        case .string, .bool: throw context.error("input should be numeric (float32, float64, int64 or int32), got \(x.elementType)")
        }
        return (rows, columns, features)
    }

    /// Walks the rows of `block` through every tree (``TreeEnsemble/lockstepRows`` rows at a
    /// time), sums each row's leaf weights in tree order, and hands each row's scores to `row`
    /// with the row's index in the block, in row order.
    @inline(__always)
    private static func scoreRows<S: BinaryFloatingPoint & Sendable>(
        _: S.Type, _ ensemble: TreeEnsemble, _ features: TreeFeatures, block: Range<Int>, columns: Int, outputs: Int,
        aggregate: Aggregate, firstWeightOnly: Bool, _ row: (Int, inout Scores<S>) -> Void
    ) {
        var scores = Scores<S>(count: outputs)
        var group = GroupScores<S>(outputs: outputs)
        let treeCount = ensemble.roots.count
        var leaves = [Int32](repeating: 0, count: treeCount * block.count)
        ensemble.nodes.withUnsafeBufferPointer { nodes in
        ensemble.weightTargets.withUnsafeBufferPointer { weightTargets in
        ensemble.weightValues.withUnsafeBufferPointer { weightValues in
            leaves.withUnsafeMutableBufferPointer { leafBuffer in
                guard let leafBase = leafBuffer.baseAddress else { return }
                features.fillLeaves(ensemble, rows: block, columns: columns, out: leafBase)
                for groupStart in stride(from: block.lowerBound, to: block.upperBound, by: TreeEnsemble.lockstepRows) {
                    let rowsInGroup = groupStart..<min(groupStart + TreeEnsemble.lockstepRows, block.upperBound)
                    group.fill(leaves: leafBase + (groupStart - block.lowerBound), stride: block.count, rows: rowsInGroup.count,
                               trees: treeCount, nodes: nodes, targets: weightTargets, weights: weightValues, aggregate: aggregate,
                               firstWeightOnly: firstWeightOnly)
                    for (g, r) in rowsInGroup.enumerated() {
                        group.copyRow(g, into: &scores)
                        row(r - block.lowerBound, &scores)
                    }
                }
            }
        }
        }
        }
    }

    // MARK: Regression

    private static func evaluateRegressor<S: BinaryFloatingPoint & Sendable>(
        _: S.Type, _ ensemble: TreeEnsemble, _ features: TreeFeatures, rows: Int, columns: Int, targets: Int,
        aggregate: Aggregate, transform: PostTransform, base: [Double], context: OperatorContext
    ) -> [Float] {
        let baseS = base.map { S($0) }
        let origin: S = baseS.count == 1 ? baseS[0] : 0
        let useBase = baseS.count == targets
        let treeWeight = S(ensemble.roots.count)
        let blocks = fixedTreeBlocks(rows)
        let parts = context.mapBlocks(blocks) { block -> [Float] in
            var out = [Float](repeating: 0, count: block.count * targets)
            scoreRows(S.self, ensemble, features, block: block, columns: columns, outputs: targets,
                      aggregate: aggregate, firstWeightOnly: targets == 1) { k, scores in
                if targets == 1 {
                    var score = scores.value[0]
                    switch aggregate {
                    case .sum: score += origin
                    case .average: score = score / treeWeight + origin
                    case .min, .max: score = scores.has[0] ? score + origin : origin
                    }
                    out[k] = transform == .probit ? PostTransform.probit(Float(score)) : Float(score)
                } else {
                    for t in 0..<targets {
                        switch aggregate {
                        case .sum: if useBase { scores.value[t] += baseS[t] }
                        case .average: scores.value[t] = scores.value[t] / treeWeight + (useBase ? baseS[t] : 0)
                        case .min, .max: scores.value[t] = (useBase ? baseS[t] : 0) + scores.output(t)
                        }
                        out[k * targets + t] = Float(scores.output(t))
                    }
                    transform.applyToRow(&out[(k * targets)..<((k + 1) * targets)])
                }
            }
            return out
        }
        return Array(parts.joined())
    }

    // MARK: Classification

    /// What a classifier's label is: a class index, or (ONNX Runtime's binary fallback) the
    /// literal label 1 or 0.
    enum ClassifierLabel: Sendable {
        case index(Int)
        case literal(Int64)

        var index: Int {
            switch self {
            case .index(let i): i
            case .literal(let v): Int(v)
            }
        }

        func value(_ labels: [Int64]) -> Int64 {
            switch self {
            case .index(let i): labels[i]
            case .literal(let v): v
            }
        }
    }

    /// The fixed facts a classifier's finalization needs.
    struct ClassifierRule: Sendable {
        let classes: Int
        /// Two labels and weights for one class only.
        let binaryCase: Bool
        let weightsAllPositive: Bool
        let transform: PostTransform
    }

    private static func evaluateClassifier<S: BinaryFloatingPoint & Sendable>(
        _: S.Type, _ ensemble: TreeEnsemble, _ features: TreeFeatures, rows: Int, columns: Int,
        rule: ClassifierRule, base: [Double], context: OperatorContext
    ) -> (labels: [ClassifierLabel], scores: [Float]) {
        let classes = rule.classes
        let baseS = base.map { S($0) }
        let blocks = fixedTreeBlocks(rows)
        let parts = context.mapBlocks(blocks) { block -> ([ClassifierLabel], [Float]) in
            var labels: [ClassifierLabel] = []
            labels.reserveCapacity(block.count)
            var out = [Float](repeating: 0, count: block.count * classes)
            out.withUnsafeMutableBufferPointer { outBuffer in
                scoreRows(S.self, ensemble, features, block: block, columns: columns, outputs: classes,
                          aggregate: .sum, firstWeightOnly: false) { k, scores in
                    labels.append(finalizeClassifier(&scores, base: baseS, rule: rule,
                                                     into: UnsafeMutableBufferPointer(rebasing: outBuffer[(k * classes)..<((k + 1) * classes)])))
                }
            }
            return (labels, out)
        }
        return (parts.flatMap(\.0), parts.flatMap(\.1))
    }

    /// Adds base values, picks the label and writes the transformed scores of one row, as ONNX
    /// Runtime's TreeAggregatorClassifier does.
    static func finalizeClassifier<S: BinaryFloatingPoint>(
        _ p: inout Scores<S>, base: [S], rule: ClassifierRule, into z: UnsafeMutableBufferPointer<Float>
    ) -> ClassifierLabel {
        let start = z.startIndex
        if rule.classes > 2 {
            for k in base.indices {
                if p.has[k] { p.value[k] += base[k] } else { p.value[k] = base[k]; p.has[k] = true }
            }
            var best = -1
            for k in 0..<rule.classes where p.has[k] && (best == -1 || p.value[k] > p.value[best]) { best = k }
            for k in 0..<rule.classes { z[start + k] = Float(p.output(k)) }
            rule.transform.applyToRow(z)
            return .index(max(best, 0))
        }

        // Two classes.
        var single = false   // only class 0's score is kept
        var secondColumn = -1  // how to fill the second column from a single score
        if base.count == 2 {
            if p.has[1] {
                p.value[1] = base[1] + p.value[0]
                p.value[0] = -p.value[1]
            } else {
                p.value[1] += base[1]
                p.value[0] += base[0]
            }
        } else if base.count == 1 {
            p.value[0] += base[0]
            if !p.has[1] { single = true }
        } else {
            secondColumn = 3
            if !p.has[1] { single = true }
        }
        let positive: S = !single && p.has[1] ? p.value[1] : (p.has[0] ? p.value[0] : 0)
        let label: ClassifierLabel
        if rule.binaryCase {
            if rule.weightsAllPositive {
                secondColumn = positive > 0.5 ? 0 : 1
            } else {
                secondColumn = positive > 0 ? 2 : 3
            }
            label = .index(secondColumn == 0 || secondColumn == 2 ? 1 : 0)
        } else {
            label = .literal(positive > 0 ? 1 : 0)
        }

        if !single {
            z[start] = Float(p.output(0))
            z[start + 1] = Float(p.output(1))
            rule.transform.applyToRow(z)
            return label
        }
        let s = p.output(0)
        if rule.transform == .probit {
            z[start] = PostTransform.probit(Float(s))
            z[start + 1] = 0
            return label
        }
        switch secondColumn {
        case 0, 1:
            z[start] = Float(1 - s)
            z[start + 1] = Float(s)
        case 2, 3:
            if rule.transform == .logistic {
                z[start] = PostTransform.logistic(Float(-s))
                z[start + 1] = PostTransform.logistic(Float(s))
            } else {
                z[start] = Float(-s)
                z[start + 1] = Float(s)
            }
        default:
            z[start] = Float(s)
            z[start + 1] = 0
        }
        return label
    }

    private static func fixedTreeBlocks(_ rows: Int) -> [Range<Int>] {
        stride(from: 0, to: rows, by: treeRowsPerBlock).map { $0..<min($0 + treeRowsPerBlock, rows) }
    }
}
