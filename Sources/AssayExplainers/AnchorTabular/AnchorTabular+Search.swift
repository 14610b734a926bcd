import AssayNumerics

extension AnchorTabular {
    /// Explains the model's prediction for `x` with an anchor, by Alibi's beam search with
    /// KL-LUCB (v0.9.4 `anchor_beam`).
    ///
    /// 1. The class explained is the model's for `x` (one call). The candidate predicates are
    ///    ``predicates(for:)``; `coverageSamples` reference rows (drawn first from `rng`) give
    ///    every coverage.
    /// 2. `minSamplesStart` samples with no anchor; while their precision exceeds `threshold`
    ///    but its lower bound (level `ln(1/δ)/n`) stays below `threshold − tau`, `batchSize`
    ///    more. A lower bound above `threshold` returns the empty anchor (coverage 1).
    /// 3. For sizes 1, 2, … up to `maxAnchorSize` (all candidates by default): extend each
    ///    anchor of the last beam by one predicate (every single predicate at size 1), each new
    ///    anchor starting from its parent's samples that satisfy the added predicate; drop those
    ///    whose coverage does not beat the best valid anchor's (stop if none are left); pick the
    ///    `beamSize` most precise by KL-LUCB (Kaufmann & Kalyanakrishnan 2013) with
    ///    `β = ln(405.5·N·t^1.1/δ)`, `β + ln β` as level numerator, batches of `batchSize`,
    ///    until the gap between the critical arms' bounds is at most `tau`; sample the beam
    ///    until each anchor's bounds (level `ln((1 + (beamSize−1)·P)/δ)/n`) clear
    ///    `threshold ± 0.05`; the valid ones (precision ≥ `threshold`, lower bound >
    ///    `threshold − 0.05`) with the best coverage become the answer. Coverage 1 stops.
    /// 4. No valid anchor: KL-LUCB picks the most precise of all beams' anchors, with `success`
    ///    false.
    ///
    /// KL bounds are found by 16 bisection steps on the Bernoulli divergence (arguments clipped to
    /// `[1e-7, 1 − 2⁻⁵³]`), with ``DeterministicMath`` logarithms. Ties between equally precise
    /// anchors go to the later candidate (a stable ascending sort, whose last entries NumPy's
    /// `argsort` also returns for Alibi's usual candidate counts); the anchors of a size are
    /// proposed by added predicate, then by parent (Alibi iterates a Python set). Sampling uses
    /// `rng` only, sequentially: the same inputs and seed give the same explanation.
    ///
    /// - Throws: ``ExplainerError/invalidParameter(name:problem:valid:)`` for a threshold outside
    ///   (0, 1], a delta outside (0, 1), a tau outside (0, 1], or a size below 1;
    ///   ``ExplainerError/invalidData(place:problem:fix:)`` for an `x` or predictor that does not
    ///   fit the reference; the predictor's errors, including
    ///   ``ExplainerError/budgetExhausted(limit:needed:)`` (the calls made stay counted on the
    ///   predictor).
    public func explain(
        _ x: [Double], predictor: Predictor, threshold: Double = 0.95, delta: Double = 0.1, tau: Double = 0.15,
        batchSize: Int = 100, coverageSamples: Int = 10_000, beamSize: Int = 1, maxAnchorSize: Int? = nil,
        minSamplesStart: Int = 100, rng: inout SeededGenerator
    ) throws(ExplainerError) -> AnchorExplanation {
        try checkAnchorSearchParameters(threshold: threshold, delta: delta, tau: tau, batchSize: batchSize, coverageSamples: coverageSamples,
                                        beamSize: beamSize, maxAnchorSize: maxAnchorSize, minSamplesStart: minSamplesStart)
        try checkPredictor(predictor)
        let candidates = try predicates(for: x)
        let callsBefore = predictor.calls
        let label = try predictedClass(x, predictor: predictor)
        let sampler = Sampler(fit: self, candidates: candidates, instance: x)
        let coverage = CoverageSet(sampler: sampler, count: coverageSamples, rng: &rng)
        var search = Search(source: TabularSamples(sampler: sampler, coverageSet: coverage), label: label, predictor: predictor)
        let result = try search.beam(threshold: threshold, delta: delta, epsilon: tau, batchSize: batchSize,
                                     beamSize: beamSize, maxAnchorSize: maxAnchorSize ?? candidates.count,
                                     minSamplesStart: minSamplesStart, rng: &rng)
        return try search.explanation(result.anchor, success: result.success, emptyPrecision: result.emptyPrecision,
                                      batchSize: batchSize, callsBefore: callsBefore, rng: &rng)
    }

    /// The beam search over this fit's candidate predicates.
    typealias Search = AnchorBeamSearch<TabularSamples>

    /// Conditional samples from the reference rows (``Sampler``), candidates being predicates.
    struct TabularSamples: AnchorSampleSource {
        let sampler: Sampler
        let coverageSet: CoverageSet
        var candidateCount: Int { sampler.candidates.count }
        var words: Int { sampler.words }
        var rowWidth: Int { sampler.fit.featureCount }

        func draw(_ anchor: [Int], count: Int, rng: inout SeededGenerator) -> (rows: [Double], bits: [UInt64]) {
            let batch = sampler.draw(anchor.map { sampler.candidates[$0] }, count: count, rng: &rng)
            return (batch.rows, batch.bits)
        }

        func coverage(_ anchor: [Int]) -> Double { coverageSet.coverage(anchor) }
    }
}

extension AnchorBeamSearch where Source == AnchorTabular.TabularSamples {
    /// The explanation of anchor `key`: per prefix (in the order the predicates were added)
    /// its precision and coverage; prefixes never sampled directly get one batch for their
    /// examples.
    mutating func explanation(_ key: [Int], success: Bool, emptyPrecision: Double?, batchSize: Int,
                              callsBefore: Int, rng: inout SeededGenerator) throws(ExplainerError) -> AnchorExplanation {
        let p = try prefixes(key, batchSize: batchSize, rng: &rng)
        let fit = source.sampler.fit
        let predicates = p.order.map { source.sampler.candidates[$0] }
        return AnchorExplanation(
            anchor: fit.describe(predicates), precision: emptyPrecision ?? p.precisions.last ?? 0,
            coverage: p.coverages.last ?? 1, features: fit.anchorFeatures(predicates), predicates: predicates,
            partialPrecision: p.precisions, partialCoverage: p.coverages, prediction: label, success: success,
            coveredTrue: p.coveredTrue, coveredFalse: p.coveredFalse, samples: kept.count,
            modelCalls: predictor.calls - callsBefore)
    }
}
