import AssayNumerics

/// The statistics the Seldon Core metrics servers report (BinaryClassification,
/// MultiClassOneHot, MultiClassNumeric), plus regression errors and the divergence of predicted
/// labels from a reference, computed as scikit-learn computes them.
///
/// Ratios whose denominator is zero are 0, as scikit-learn's `zero_division=0` makes them. Sums
/// run in index order; counts are exact.
public enum ClassificationMetrics {
    /// The counts and ratios of one class against the rest (or of a binary problem).
    public struct Binary: Sendable, Equatable, Codable {
        public var truePositives: Int
        public var trueNegatives: Int
        public var falsePositives: Int
        public var falseNegatives: Int

        public init(truePositives: Int, trueNegatives: Int, falsePositives: Int, falseNegatives: Int) {
            self.truePositives = truePositives
            self.trueNegatives = trueNegatives
            self.falsePositives = falsePositives
            self.falseNegatives = falseNegatives
        }

        static func ratio(_ a: Int, _ b: Int) -> Double { b == 0 ? 0 : Double(a) / Double(b) }
        public var total: Int { truePositives + trueNegatives + falsePositives + falseNegatives }
        /// (TP + TN) / all.
        public var accuracy: Double { Self.ratio(truePositives + trueNegatives, total) }
        /// TP / (TP + FP).
        public var precision: Double { Self.ratio(truePositives, truePositives + falsePositives) }
        /// TP / (TP + FN).
        public var recall: Double { Self.ratio(truePositives, truePositives + falseNegatives) }
        /// TN / (TN + FP).
        public var specificity: Double { Self.ratio(trueNegatives, trueNegatives + falsePositives) }
        /// 2·TP / (2·TP + FP + FN), scikit-learn's form (equal to the harmonic mean of precision
        /// and recall, without its rounding).
        public var f1: Double { Self.ratio(2 * truePositives, 2 * truePositives + falsePositives + falseNegatives) }

        enum CodingKeys: String, CodingKey {
            case truePositives = "tp", trueNegatives = "tn", falsePositives = "fp", falseNegatives = "fn"
            case accuracy, precision, recall, specificity, f1
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            self.init(truePositives: try c.decode(Int.self, forKey: .truePositives), trueNegatives: try c.decode(Int.self, forKey: .trueNegatives),
                      falsePositives: try c.decode(Int.self, forKey: .falsePositives), falseNegatives: try c.decode(Int.self, forKey: .falseNegatives))
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(truePositives, forKey: .truePositives)
            try c.encode(trueNegatives, forKey: .trueNegatives)
            try c.encode(falsePositives, forKey: .falsePositives)
            try c.encode(falseNegatives, forKey: .falseNegatives)
            try c.encode(accuracy, forKey: .accuracy)
            try c.encode(precision, forKey: .precision)
            try c.encode(recall, forKey: .recall)
            try c.encode(specificity, forKey: .specificity)
            try c.encode(f1, forKey: .f1)
        }
    }

    /// Binary metrics with `positive` as the positive label.
    public static func binary(truth: [Int], predicted: [Int], positive: Int = 1) throws(DetectorError) -> Binary {
        try checkPaired(truth.count, predicted.count)
        var tp = 0, tn = 0, fp = 0, fn = 0
        for (t, p) in zip(truth, predicted) {
            switch (t == positive, p == positive) {
            case (true, true): tp += 1
            case (false, false): tn += 1
            case (false, true): fp += 1
            case (true, false): fn += 1
            }
        }
        return Binary(truePositives: tp, trueNegatives: tn, falsePositives: fp, falseNegatives: fn)
    }

    /// Multi-class metrics over `classes` (the label set, in the order reported).
    public struct MultiClass: Sendable, Equatable {
        public var classes: [Int]
        /// One-vs-rest counts and ratios per class, in `classes` order.
        public var perClass: [Binary]
        /// `confusion[i][j]`: events of true class `classes[i]` predicted as `classes[j]`.
        public var confusion: [[Int]]
        /// Correct predictions over all events.
        public var accuracy: Double
        /// Unweighted means over classes of the per-class precision, recall and F1 (scikit-learn's
        /// `average="macro"`).
        public var macroPrecision: Double
        public var macroRecall: Double
        public var macroF1: Double
    }

    /// Multi-class metrics; a label outside `classes` is an error naming it.
    public static func multiClass(truth: [Int], predicted: [Int], classes: [Int]) throws(DetectorError) -> MultiClass {
        try checkPaired(truth.count, predicted.count)
        guard !classes.isEmpty, Set(classes).count == classes.count else {
            throw DetectorError.invalidParameter(name: "classes", problem: "must be distinct labels, at least one", valid: "e.g. 0,1,2")
        }
        var index: [Int: Int] = [:]
        for (i, c) in classes.enumerated() { index[c] = i }
        var confusion = [[Int]](repeating: [Int](repeating: 0, count: classes.count), count: classes.count)
        var correct = 0
        for (k, (t, p)) in zip(truth, predicted).enumerated() {
            guard let i = index[t], let j = index[p] else {
                throw DetectorError.invalidData(place: "event \(k)", problem: "label \(index[t] == nil ? t : p) is not one of the classes \(classes)",
                                                fix: "Declare every label the model or the truth can give.")
            }
            confusion[i][j] += 1
            if i == j { correct += 1 }
        }
        let total = truth.count
        var perClass: [Binary] = []
        for c in classes.indices {
            let tp = confusion[c][c]
            var fp = 0, fn = 0
            for o in classes.indices where o != c {
                fp += confusion[o][c]
                fn += confusion[c][o]
            }
            perClass.append(Binary(truePositives: tp, trueNegatives: total - tp - fp - fn, falsePositives: fp, falseNegatives: fn))
        }
        func mean(_ values: [Double]) -> Double { values.reduce(0, +) / Double(values.count) }
        return MultiClass(classes: classes, perClass: perClass, confusion: confusion, accuracy: Binary.ratio(correct, total),
                          macroPrecision: mean(perClass.map(\.precision)), macroRecall: mean(perClass.map(\.recall)),
                          macroF1: mean(perClass.map(\.f1)))
    }

    /// The label of the largest score of each row (the first of equals), for one-hot or
    /// probability outputs.
    public static func argmax(rows: [[Double]]) -> [Int] {
        rows.map { row in row.indices.reduce(0) { row[$1] > row[$0] ? $1 : $0 } }
    }

    /// Regression errors.
    public struct Regression: Sendable, Equatable, Codable {
        /// √(Σ (y − ŷ)² / n).
        public var rmse: Double
        /// Σ |y − ŷ| / n.
        public var mae: Double
        /// 1 − Σ (y − ŷ)² / Σ (y − ȳ)²; when the truth is constant, 1 for a perfect fit and 0
        /// otherwise (scikit-learn's `force_finite`).
        public var r2: Double
    }

    public static func regression(truth: [Double], predicted: [Double]) throws(DetectorError) -> Regression {
        try checkPaired(truth.count, predicted.count)
        guard !truth.isEmpty else {
            throw DetectorError.invalidData(place: "window", problem: "no events", fix: "Regression metrics need at least one event.")
        }
        let n = Double(truth.count)
        var squared = 0.0, absolute = 0.0, sum = 0.0
        for (t, p) in zip(truth, predicted) {
            let d = t - p
            squared += d * d
            absolute += Swift.abs(d)
            sum += t
        }
        let mean = sum / n
        var total = 0.0
        for t in truth { total += (t - mean) * (t - mean) }
        let r2 = total == 0 ? (squared == 0 ? 1 : 0) : 1 - squared / total
        return Regression(rmse: (squared / n).squareRoot(), mae: absolute / n, r2: r2)
    }

    /// Kullback–Leibler divergence Σ p·ln(p/q) of the predicted label distribution `p` from the
    /// reference `q` (both normalised here; classes in the same order), in nats, with Assay's own
    /// logarithm; `+∞` when a class has p > 0 and q = 0 (SciPy's `entropy(p, q)`).
    public static func klDivergence(_ p: [Double], from q: [Double]) throws(DetectorError) -> Double {
        guard p.count == q.count, !p.isEmpty, p.allSatisfy({ $0 >= 0 && $0.isFinite }), q.allSatisfy({ $0 >= 0 && $0.isFinite }) else {
            throw DetectorError.invalidData(place: "distributions", problem: "need two equally long lists of non-negative finite counts",
                                            fix: "Pass label counts or frequencies over the same classes.")
        }
        let ps = p.reduce(0, +), qs = q.reduce(0, +)
        guard ps > 0, qs > 0 else {
            throw DetectorError.invalidData(place: "distributions", problem: "a distribution sums to zero", fix: "Pass at least one count.")
        }
        var kl = 0.0
        for (a, b) in zip(p, q) {
            let pi = a / ps, qi = b / qs
            if pi == 0 { continue }
            if qi == 0 { return .infinity }
            kl += pi * DeterministicMath.log(pi / qi)
        }
        return kl
    }

    static func checkPaired(_ a: Int, _ b: Int) throws(DetectorError) {
        guard a == b else {
            throw DetectorError.invalidData(place: "window", problem: "\(a) truths for \(b) predictions", fix: "Join truth to predictions by request id first.")
        }
    }
}
