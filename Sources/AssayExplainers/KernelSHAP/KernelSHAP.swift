import AssayNumerics

/// Kernel SHAP (Lundberg & Lee 2017): Shapley values of a black-box model's outputs, estimated
/// by a weighted linear regression over feature coalitions, following shap's `KernelExplainer`
/// (shap 0.51) step for step.
///
/// For an instance `x`, a feature outside a coalition is "missing": it takes the background's
/// values. A coalition's value is the background-weighted mean model output over the synthetic
/// rows (each background row with the coalition's features set to `x`'s). The attributions `φ`
/// solve the Shapley-kernel-weighted least-squares problem subject to `Σφ = link(f(x)) −
/// link(E f)`.
///
/// ## Algorithm, as shap
///
/// 1. **Expected value.** One call evaluates the background rows (and the instances):
///    `f_null = Σ_b w_b f(background_b)`, ``KernelSHAPExplanation/expectedValue`` is
///    `link(f_null)`.
/// 2. **Varying features.** Feature j of an instance varies when some background row differs
///    from it: `|x_j − b_j| > 1e-8 + 1e-5·|b_j|` (NumPy's `allclose`, as shap's `varyingInds`).
///    The others get 0. No varying feature: all 0; one: it gets the whole `link(f(x)) −
///    link(f_null)`.
/// 3. **Coalitions.** With m ≥ 2 varying features and budget ``nsamples`` (auto: `2m + 2048`,
///    capped at `2^m − 2`), coalition sizes are enumerated from both ends with the Shapley
///    kernel weights while the budget allows, the rest sampled (`KernelSHAP.CoalitionPlan.swift`
///    states the exact procedure): exact
///    enumeration, and so shap's values, when `2^m − 2 ≤ nsamples`.
/// 4. **Evaluation.** For each coalition, the background rows with the coalition's features set
///    to `x`, all coalitions of an instance in one call (or calls of at most
///    ``maxRowsPerCall`` rows, whole coalitions each); each coalition's value is the
///    background-weighted mean output, summed in background order.
/// 5. **Solve** per output: weighted least squares with the efficiency constraint eliminated
///    through the last varying feature, by Cholesky on the normal equations
///    (`KernelSHAP+Solve.swift`).
///
/// ## Differences from shap
///
/// - **No L1 feature selection.** shap 0.51 defaults to `l1_reg="num_features(10)"` (LARS),
///   older versions to `"auto"` (LassoLarsIC with AIC when fewer than 20% of coalitions are
///   evaluated). Assay implements `l1_reg=False` only: every varying feature gets a value from
///   the full regression. Pass `l1_reg=False` to shap to compare.
/// - **Random coalitions** come from ``SeededGenerator`` (the `rng` given to
///   ``explain(_:predictor:rng:)``), not NumPy's global stream: sampled results agree with
///   shap's statistically, enumerated ones to rounding.
/// - **Singular systems** are solved for the minimum-norm solution by an eigendecomposition,
///   where shap calls `lstsq`; same answer up to rounding.
/// - **Budget.** The number of model calls is known before the first call; an explanation that
///   would exceed the ``Predictor``'s `maxCalls` fails before calling the model.
///
/// Everything is single-threaded, sums run in fixed orders, and the logit link goes through
/// ``DeterministicMath``: the same inputs and seed give the same bits on every machine.
///
/// ```swift
/// let explainer = try KernelSHAP(background: train, summary: .kmeans(20), link: .logit, seed: 7)
/// var rng = SeededGenerator(seed: 7).child("explainers.kernel_shap")
/// let e = try explainer.explain(x, predictor: Predictor(inputWidth: 4) { try model($0) }, rng: &rng)
/// e.shapValues[1][0]      // attributions of output 1 for the first instance
/// ```
public struct KernelSHAP: Sendable {
    /// The link between model outputs and attributions (shap's `link`).
    public enum Link: String, Codable, Sendable, CaseIterable {
        /// Attributions in the units of the model output.
        case identity
        /// Attributions in log-odds: `logit(p) = log(p / (1 − p))`; the model's outputs must lie
        /// strictly between 0 and 1.
        case logit

        /// The link applied to one output.
        public func callAsFunction(_ p: Double) -> Double {
            switch self {
            case .identity: p
            case .logit: DeterministicMath.log(p / (1 - p))
            }
        }
    }

    /// The number of coalitions to evaluate per instance (shap's `nsamples`).
    public enum SampleCount: Sendable, Equatable {
        /// `2m + 2048` for m varying features, as shap.
        case auto
        /// A fixed number, at least 2.
        case count(Int)
    }

    /// The background rows (rows × M), after summarising.
    public let background: Tensor<Double>
    /// The weight of each background row; they sum to 1.
    public let backgroundWeights: [Double]
    /// Coalitions per instance; capped at `2^m − 2` for m varying features.
    public let nsamples: SampleCount
    /// The link between outputs and attributions.
    public let link: Link
    /// The seed of the background summary (the only randomness at construction).
    public let seed: UInt64
    /// The most rows sent to the model in one call, except that a call always holds at least one
    /// whole coalition (one row per background row).
    public let maxRowsPerCall: Int

    /// The number of features, M.
    public var featureCount: Int { background.rowWidth }

    /// The key under ``seed`` of the generator that summarises the background.
    public static let backgroundStreamKey = "explainers.kernel_shap.background"

    /// Configures an explainer.
    ///
    /// - Parameters:
    ///   - background: rows × M data whose values stand in for missing features (shap's `data`).
    ///   - weights: a positive weight per background row (normalised here); equal by default.
    ///   - summary: reduce the background first, by weighted k-means or by sampling rows, drawing
    ///     from `SeededGenerator(seed: seed).child(KernelSHAP.backgroundStreamKey)`.
    ///   - nsamples: coalitions per instance.
    ///   - link: identity or logit.
    ///   - seed: seeds the background summary.
    ///   - maxRowsPerCall: the most rows per model call (default 65 536).
    /// - Throws: ``ExplainerError/invalidData(place:problem:fix:)`` for a background that is not
    ///   a non-empty finite matrix or weights that do not fit it;
    ///   ``ExplainerError/invalidParameter(name:problem:valid:)`` for a summary size below 1,
    ///   `nsamples` below 2, or `maxRowsPerCall` below 1.
    public init(
        background: Tensor<Double>, weights: [Double]? = nil, summary: BackgroundSummary = .none,
        nsamples: SampleCount = .auto, link: Link = .identity, seed: UInt64 = 0,
        maxRowsPerCall: Int = 65_536
    ) throws(ExplainerError) {
        guard background.rank == 2 else {
            throw .invalidData(place: "background", problem: "has shape \(background.shape), not rows × features",
                               fix: "Pass a matrix with one row per background sample")
        }
        guard background.rowCount >= 1 else {
            throw .invalidData(place: "background", problem: "has no rows",
                               fix: "Pass at least one background row (the training data, or a summary of it)")
        }
        guard background.rowWidth >= 1 else {
            throw .invalidData(place: "background", problem: "has no features", fix: "Pass rows with at least one feature")
        }
        if let (i, v) = background.firstNonFinite() {
            let m = background.rowWidth
            throw .invalidData(place: "background row \(i / m) feature \(i % m)", problem: "is \(v)",
                               fix: "Impute or drop rows with missing values first")
        }
        var w = weights ?? [Double](repeating: 1, count: background.rowCount)
        guard w.count == background.rowCount else {
            throw .invalidData(place: "background weights", problem: "has \(w.count) weights for \(background.rowCount) rows",
                               fix: "Pass one weight per background row")
        }
        if let i = w.firstIndex(where: { !($0.isFinite && $0 > 0) }) {
            throw .invalidData(place: "background weight \(i)", problem: "is \(w[i])",
                               fix: "Weights must be positive and finite; drop rows that should not count")
        }
        let total = w.reduce(0, +)
        guard total.isFinite else {
            throw .invalidData(place: "background weights", problem: "sum to \(total)", fix: "Pass smaller weights")
        }
        w = w.map { $0 / total }
        switch nsamples {
        case .auto: break
        case .count(let n):
            guard n >= 2 else {
                throw .invalidParameter(name: "nsamples", problem: "is \(n)",
                                        valid: "Use at least 2 coalitions, or auto (2·M + 2048, as shap)")
            }
        }
        guard maxRowsPerCall >= 1 else {
            throw .invalidParameter(name: "maxRowsPerCall", problem: "is \(maxRowsPerCall)", valid: "Use at least 1")
        }
        var rng = SeededGenerator(seed: seed).child(Self.backgroundStreamKey)
        switch summary {
        case .none:
            self.background = background
            self.backgroundWeights = w
        case .kmeans(let k):
            guard k >= 1 else {
                throw .invalidParameter(name: "background summary kmeans", problem: "asks for \(k) centres",
                                        valid: "Use at least 1 centre")
            }
            let s = Self.summarizeByKMeans(background, weights: w, k: k, rng: &rng)
            self.background = s.centres
            self.backgroundWeights = s.weights
        case .sample(let k):
            guard k >= 1 else {
                throw .invalidParameter(name: "background summary sample", problem: "asks for \(k) rows",
                                        valid: "Use at least 1 row")
            }
            let s = Self.summarizeBySampling(background, weights: w, k: k, rng: &rng)
            self.background = s.rows
            self.backgroundWeights = s.weights
        }
        self.nsamples = nsamples
        self.link = link
        self.seed = seed
        self.maxRowsPerCall = maxRowsPerCall
    }

    /// The features of `row` (M values) that differ from some background row, in order:
    /// `|x_j − b_j| > 1e-8 + 1e-5·|b_j|` for some row `b` (shap's `varying_groups`).
    public func varyingFeatures(_ row: ArraySlice<Double>) -> [Int] {
        let m = featureCount
        let bg = background.scalars
        let x = Array(row)
        return (0..<m).filter { j in
            (0..<background.rowCount).contains { b in
                let v = bg[b * m + j]
                return !(abs(x[j] - v) <= 1e-8 + 1e-5 * abs(v))
            }
        }
    }

    /// Explains the rows of `x` (rows × M).
    ///
    /// Calls `predictor` once (or more, by ``maxRowsPerCall``) on the background rows followed by
    /// the instances, then once per instance with at least two varying features on its
    /// coalitions' synthetic rows. Random coalitions are drawn from `rng`, instance by instance,
    /// so explaining rows one at a time with the same generator gives the same values.
    ///
    /// - Throws: ``ExplainerError/invalidData(place:problem:fix:)`` when `x` is not a finite
    ///   matrix with the background's features, when the predictor takes another number of
    ///   features, or when the logit link meets an output outside (0, 1);
    ///   ``ExplainerError/budgetExhausted(limit:needed:)`` before any call when the explanation
    ///   needs more calls than the predictor has left; the predictor's
    ///   ``ExplainerError/modelFailed(call:problem:)``, and the same when the model changes its
    ///   number of outputs between calls.
    public func explain(
        _ x: Tensor<Double>, predictor: Predictor, rng: inout SeededGenerator
    ) throws(ExplainerError) -> KernelSHAPExplanation {
        let m = featureCount
        let bgRows = background.rowCount
        guard x.rank == 2 else {
            throw .invalidData(place: "x", problem: "has shape \(x.shape), not rows × features",
                               fix: "Pass a matrix with one row per instance")
        }
        guard x.rowWidth == m else {
            throw .invalidData(place: "x", problem: "has \(x.rowWidth) features per row, the background has \(m)",
                               fix: "Explain rows with the background's features, in the same order")
        }
        guard predictor.inputWidth == m else {
            throw .invalidData(place: "predictor", problem: "takes \(predictor.inputWidth) features, the background has \(m)",
                               fix: "Use a background with the model's input features")
        }
        if let (i, v) = x.firstNonFinite() {
            throw .invalidData(place: "x row \(i / m) feature \(i % m)", problem: "is \(v)",
                               fix: "Impute missing values before explaining")
        }
        let n = x.rowCount
        let varying = (0..<n).map { varyingFeatures(x.row($0)) }

        // Plan the calls (on a copy of the generator, replayed below) and check the budget.
        let perCall = Swift.max(1, maxRowsPerCall / bgRows)
        var planned = [Int](repeating: 0, count: n)
        var plans = [CoalitionPlan?](repeating: nil, count: n)
        var counting = rng
        for i in 0..<n where varying[i].count >= 2 {
            let mv = varying[i].count
            plans[i] = CoalitionPlan(features: mv, budget: CoalitionPlan.budget(nsamples, features: mv), rng: &counting)
            planned[i] = plans[i]!.count
        }
        let firstCalls = (bgRows + n + maxRowsPerCall - 1) / maxRowsPerCall
        let coalitionCalls = planned.reduce(0) { $0 + ($1 + perCall - 1) / perCall }
        if let limit = predictor.maxCalls {
            let left = Swift.max(0, limit - predictor.calls)
            if firstCalls + coalitionCalls > left {
                throw .budgetExhausted(limit: limit, needed: "Kernel SHAP needs \(firstCalls + coalitionCalls) calls: "
                    + "\(firstCalls) for the background and the instances, \(coalitionCalls) for "
                    + "\(planned.reduce(0, +)) coalitions × \(bgRows) background rows, "
                    + "at most \(perCall) coalitions a call; \(left) left")
            }
        }
        let callsBefore = predictor.calls, rowsBefore = predictor.rows

        // The background and the instances.
        var evaluator = Evaluator(predictor: predictor, features: m, link: link)
        let firstInput = background.scalars + x.scalars
        var first: [Double] = []
        var start = 0
        while start < bgRows + n {
            let end = Swift.min(bgRows + n, start + maxRowsPerCall)
            first += try evaluator.call(Array(firstInput[(start * m)..<(end * m)]), rows: end - start)
            start = end
        }
        let d = evaluator.outputs
        var fNull = [Double](repeating: 0, count: d)
        for b in 0..<bgRows {
            for k in 0..<d { fNull[k] += backgroundWeights[b] * first[b * d + k] }
        }
        let linkedNull = try fNull.enumerated().map { (k, v) throws(ExplainerError) in
            try checkedLink(v, place: "the background's mean output \(k)")
        }
        let prediction = (0..<n).map { i in Array(first[((bgRows + i) * d)..<((bgRows + i + 1) * d)]) }

        // Each instance.
        var values = [[[Double]]](repeating: [[Double]](repeating: [Double](repeating: 0, count: m), count: n), count: d)
        var coalitions = [Int](repeating: 0, count: n)
        for i in 0..<n {
            let features = varying[i]
            var delta = [Double](repeating: 0, count: d)
            for k in 0..<d {
                delta[k] = try checkedLink(prediction[i][k], place: "the model's output \(k) for x row \(i)") - linkedNull[k]
            }
            if features.count == 1 {
                for k in 0..<d { values[k][i][features[0]] = delta[k] }
            }
            guard features.count >= 2 else { continue }
            // The plan drawn while counting calls: the same draws, in the same order, as drawing
            // it here from `rng`, which is then left where the counting left it.
            guard let plan = plans[i] else { continue }
            coalitions[i] = plan.count
            let means = try coalitionMeans(plan, instance: x.row(i), features: features, perCall: perCall,
                                           evaluator: &evaluator)
            let equations = try NormalEquations(plan: plan)
            for k in 0..<d {
                var y = [Double](repeating: 0, count: plan.count)
                for c in 0..<plan.count {
                    y[c] = try checkedLink(means[c * d + k], place: "the mean output \(k) of coalition \(c) for x row \(i)")
                        - linkedNull[k]
                }
                let phi = equations.solve(plan: plan, y: y, delta: delta[k])
                for (j, feature) in features.enumerated() { values[k][i][feature] = phi[j] }
            }
        }
        rng = counting
        return KernelSHAPExplanation(
            shapValues: values, expectedValue: linkedNull, rawPrediction: prediction, varyingFeatures: varying,
            coalitions: coalitions, modelCalls: predictor.calls - callsBefore, modelRows: predictor.rows - rowsBefore)
    }

    /// The background-weighted mean outputs of every coalition in `plan` (count × outputs).
    private func coalitionMeans(
        _ plan: CoalitionPlan, instance: ArraySlice<Double>, features: [Int], perCall: Int,
        evaluator: inout Evaluator
    ) throws(ExplainerError) -> [Double] {
        let m = featureCount, bgRows = background.rowCount
        let bg = background.scalars
        let xi = Array(instance)
        var means: [Double] = []
        means.reserveCapacity(plan.count * evaluator.outputs)
        var start = 0
        while start < plan.count {
            let end = Swift.min(plan.count, start + perCall)
            let block = bgRows * m
            var rows = [Double](repeating: 0, count: (end - start) * block)
            rows.withUnsafeMutableBufferPointer { out in
                bg.withUnsafeBufferPointer { bgBuffer in
                    for c in start..<end {
                        let offset = (c - start) * block
                        for i in 0..<block { out[offset + i] = bgBuffer[i] }
                        for (position, j) in features.enumerated() where plan.isMember(c, position) {
                            let v = xi[j]
                            for b in 0..<bgRows { out[offset + b * m + j] = v }
                        }
                    }
                }
            }
            let out = try evaluator.call(rows, rows: (end - start) * bgRows)
            let d = evaluator.outputs
            for c in 0..<(end - start) {
                let at = means.count
                means.append(contentsOf: repeatElement(0, count: d))
                for b in 0..<bgRows {
                    let r = (c * bgRows + b) * d
                    for k in 0..<d { means[at + k] += out[r + k] * backgroundWeights[b] }
                }
            }
            start = end
        }
        return means
    }

    /// `link(v)`, failing when it is not finite (a logit of 0, 1 or beyond).
    private func checkedLink(_ v: Double, place: @autoclosure () -> String) throws(ExplainerError) -> Double {
        let linked = link(v)
        guard linked.isFinite else {
            throw .invalidData(place: place(), problem: "is \(v), whose \(link.rawValue) is \(linked)",
                               fix: "The logit link needs probabilities strictly between 0 and 1; use the identity link, or clip the model's outputs")
        }
        return linked
    }

    /// Sends rows to the predictor and checks what comes back: the same number of outputs on
    /// every call and, for the logit link, every output strictly inside (0, 1).
    private struct Evaluator {
        let predictor: Predictor
        let features: Int
        let link: Link
        var outputs = 0

        mutating func call(_ rows: [Double], rows count: Int) throws(ExplainerError) -> [Double] {
            let input: Tensor<Double>
            do { input = try Tensor(shape: [count, features], scalars: rows) } catch {
                throw .invalidData(place: "Kernel SHAP synthetic rows", problem: "\(error)", fix: "Report this as a bug")
            }
            let out = try predictor(input)
            let width = out.rowWidth
            if outputs == 0 {
                guard width >= 1 else {
                    throw .modelFailed(call: predictor.calls, problem: "answered rows with no outputs")
                }
                outputs = width
            } else if width != outputs {
                throw .modelFailed(call: predictor.calls,
                                   problem: "answered \(width) outputs per row where the first call answered \(outputs)")
            }
            if link == .logit, let i = out.scalars.firstIndex(where: { !($0 > 0 && $0 < 1) }) {
                throw .invalidData(place: "model call \(predictor.calls) row \(i / width) output \(i % width)",
                                   problem: "is \(out.scalars[i]), outside (0, 1)",
                                   fix: "The logit link needs probabilities strictly between 0 and 1; use the identity link, or clip the model's outputs")
            }
            return out.scalars
        }
    }
}
