import AssayNumerics

/// Anchors for images, following Alibi Explain's `AnchorImage` (v0.9.4): the image is cut into
/// superpixels (``SLIC``), and an *anchor* is a set of superpixels such that, when the other
/// superpixels are perturbed at random, the model keeps its prediction with high probability
/// (the *precision*).
///
/// ## Sampling, as Alibi
///
/// A sample for anchor A replaces each superpixel outside A, independently with probability
/// ``pSample``, by the same pixels of the *perturbed image* (``Perturbation``); superpixels in A
/// are always kept. A sample satisfies superpixel p when p was kept. Coverage uses
/// `coverageSamples` masks that keep each superpixel with probability 0.5 (fixed, as Alibi), so
/// an anchor of a superpixels covers about `0.5^a`; it needs no model calls.
///
/// The search is the tabular one (``AnchorTabular/explain(_:predictor:threshold:delta:tau:batchSize:coverageSamples:beamSize:maxAnchorSize:minSamplesStart:rng:)``
/// documents it): KL-LUCB beam search over the superpixels as candidates.
///
/// ```swift
/// let anchors = try AnchorImage(shape: [28, 28, 1])
/// var rng = SeededGenerator(seed: 7).child("explainers.anchor_image")
/// let e = try anchors.explain(image, predictor: Predictor(inputWidth: 784) { try model($0) }, rng: &rng)
/// e.anchor   // [3, 5]: superpixel ids; e.mask marks their pixels
/// ```
///
/// ## Differences from Alibi
///
/// - **Random numbers** come from ``SeededGenerator`` (one uniform draw per superpixel and
///   sample, the anchor's included), not NumPy's global stream; precision and coverage agree
///   statistically.
/// - **Segmentation** is our ``SLIC`` (its differences from scikit-image are listed there); a
///   1-channel image is segmented as grey, where Alibi repeats it to 3 channels for Lab.
/// - **A background image** (``Perturbation/image(_:)``) is one fixed image; Alibi draws one
///   of several per sample.
/// - **The explanation** gives the anchor as superpixel ids and a pixel mask, and its examples in
///   the input's values; Alibi returns the masked image and examples rescaled to 0–255.
public struct AnchorImage: Sendable {
    /// What a perturbed superpixel shows.
    public enum Perturbation: Sendable, Hashable, Codable {
        /// Each channel's mean over the superpixel in the explained image (Alibi's default
        /// "fudged" image). A flat superpixel is unchanged by it.
        case meanColour
        /// One value in every channel (e.g. 0 for black).
        case fixed(Double)
        /// The same pixels of another image of the same shape (H·W·C values).
        case image([Double])
    }

    /// Image height, width and channels.
    public let height: Int, width: Int, channels: Int
    /// The superpixel segmenter.
    public let segmentation: SLIC
    /// What perturbed superpixels show.
    public let perturbation: Perturbation
    /// The probability that a superpixel outside the anchor is perturbed in a sample (Alibi's
    /// `p_sample`).
    public let pSample: Double

    /// Values per image, H·W·C.
    public var valueCount: Int { height * width * channels }

    /// Makes the explainer.
    /// - Parameters:
    ///   - shape: `[H, W, C]` (channels last), or `[H, W]` for one channel.
    ///   - segmentation: the superpixel parameters (Alibi's defaults: 10 segments,
    ///     compactness 10, sigma 0.5).
    ///   - perturbation: what perturbed superpixels show.
    ///   - pSample: the probability of perturbing each superpixel outside the anchor, in [0, 1].
    /// - Throws: ``ExplainerError/invalidData(place:problem:fix:)`` for a bad shape or a
    ///   background image of another size or with non-finite values;
    ///   ``ExplainerError/invalidParameter(name:problem:valid:)`` for a `pSample` outside
    ///   [0, 1] or a non-finite fixed value.
    public init(shape: [Int], segmentation: SLIC = SLIC(), perturbation: Perturbation = .meanColour,
                pSample: Double = 0.5) throws(ExplainerError) {
        guard shape.count == 2 || shape.count == 3 else {
            throw .invalidData(place: "image shape \(shape)", problem: "is not [H, W, C] or [H, W]", fix: "Give the height, width and channels")
        }
        let dims = shape.count == 3 ? shape : shape + [1]
        do {
            _ = try ImageShape(height: dims[0], width: dims[1], channels: dims[2])
        } catch {
            throw .invalidData(place: "image shape \(shape)", problem: "\(error)", fix: "Give positive dimensions, channels last")
        }
        guard pSample >= 0 && pSample <= 1 else {
            throw .invalidParameter(name: "pSample", problem: "is \(pSample)", valid: "Use a probability in [0, 1], e.g. 0.5")
        }
        let count = dims[0] * dims[1] * dims[2]
        switch perturbation {
        case .meanColour: break
        case .fixed(let v):
            guard v.isFinite else {
                throw .invalidParameter(name: "perturbation", problem: "fixes the value \(v)", valid: "Use a finite value, e.g. 0")
            }
        case .image(let background):
            guard background.count == count else {
                throw .invalidData(place: "background image", problem: "has \(background.count) values, the shape \(shape) needs \(count)",
                                   fix: "Pass an image of the explained shape, channels last")
            }
            if let i = background.firstIndex(where: { !$0.isFinite }) {
                throw .invalidData(place: "background image value \(i)", problem: "is \(background[i])", fix: "Pass finite pixel values")
            }
        }
        self.height = dims[0]
        self.width = dims[1]
        self.channels = dims[2]
        self.segmentation = segmentation
        self.perturbation = perturbation
        self.pSample = pSample
    }

    /// The superpixels of `image` (H·W labels `0…S−1`).
    /// - Throws: as ``SLIC/segment(_:height:width:channels:)``.
    public func segments(_ image: [Double]) throws(ExplainerError) -> [Int32] {
        try segmentation.segment(image, height: height, width: width, channels: channels)
    }

    /// Explains the model's prediction for `image` (H·W·C values, channels last) with an anchor
    /// of superpixels, by Alibi's beam search with KL-LUCB.
    ///
    /// The class explained is the model's for `image` (one call); the segmentation is
    /// ``segments(_:)``; `coverageSamples` masks (drawn first from `rng`) give every coverage;
    /// the search and its parameters are those of ``AnchorTabular``'s `explain`. Sampling uses
    /// `rng` only, sequentially: the same inputs and seed give the same explanation.
    ///
    /// - Throws: ``ExplainerError/invalidParameter(name:problem:valid:)`` for a threshold outside
    ///   (0, 1], a delta outside (0, 1), a tau outside (0, 1], or a size below 1;
    ///   ``ExplainerError/invalidData(place:problem:fix:)`` for an image of another length, with
    ///   non-finite values or too small for the segmentation, or a predictor of another input
    ///   width; the predictor's errors, including ``ExplainerError/budgetExhausted(limit:needed:)``
    ///   (the calls made stay counted on the predictor).
    public func explain(
        _ image: [Double], predictor: Predictor, threshold: Double = 0.95, delta: Double = 0.1, tau: Double = 0.15,
        batchSize: Int = 100, coverageSamples: Int = 10_000, beamSize: Int = 1, maxAnchorSize: Int? = nil,
        minSamplesStart: Int = 100, rng: inout SeededGenerator
    ) throws(ExplainerError) -> AnchorImageExplanation {
        try checkAnchorSearchParameters(threshold: threshold, delta: delta, tau: tau, batchSize: batchSize, coverageSamples: coverageSamples,
                                        beamSize: beamSize, maxAnchorSize: maxAnchorSize, minSamplesStart: minSamplesStart)
        guard image.count == valueCount else {
            throw .invalidData(place: "image", problem: "has \(image.count) values, the shape \(height)x\(width)x\(channels) needs \(valueCount)",
                               fix: "Pass one image as H×W×C values, channels last")
        }
        guard predictor.inputWidth == valueCount else {
            throw .invalidData(place: "predictor", problem: "takes \(predictor.inputWidth) values, the image has \(valueCount)",
                               fix: "Explain with a model of the image's shape")
        }
        let segments = try self.segments(image)
        let callsBefore = predictor.calls
        let label = try AnchorTabular.classes(image, count: 1, width: valueCount, predictor: predictor)[0]
        let source = ImageSamples(image: image, segments: segments, channels: channels,
                                  replacement: replacement(image, segments: segments), pSample: pSample,
                                  coverageSamples: coverageSamples, rng: &rng)
        var search = AnchorBeamSearch(source: source, label: label, predictor: predictor)
        let result = try search.beam(threshold: threshold, delta: delta, epsilon: tau, batchSize: batchSize,
                                     beamSize: beamSize, maxAnchorSize: maxAnchorSize ?? source.candidateCount,
                                     minSamplesStart: minSamplesStart, rng: &rng)
        let p = try search.prefixes(result.anchor, batchSize: batchSize, rng: &rng)
        let chosen = Set(p.order.map { Int32($0) })
        return AnchorImageExplanation(
            segments: segments, anchor: p.order, precision: result.emptyPrecision ?? p.precisions.last ?? 0,
            coverage: p.coverages.last ?? 1, mask: segments.map { chosen.contains($0) ? 1 : 0 },
            partialPrecision: p.precisions, partialCoverage: p.coverages, prediction: label, success: result.success,
            coveredTrue: p.coveredTrue, coveredFalse: p.coveredFalse, samples: search.kept.count,
            modelCalls: predictor.calls - callsBefore)
    }

    /// The image perturbed superpixels are copied from.
    func replacement(_ image: [Double], segments: [Int32]) -> [Double] {
        switch perturbation {
        case .fixed(let v): return [Double](repeating: v, count: image.count)
        case .image(let background): return background
        case .meanColour:
            let s = Int(segments.max() ?? 0) + 1
            var sums = [Double](repeating: 0, count: s * channels), counts = [Int](repeating: 0, count: s)
            for (p, l) in segments.enumerated() {
                counts[Int(l)] += 1
                for c in 0..<channels { sums[Int(l) * channels + c] += image[p * channels + c] }
            }
            var out = image
            for (p, l) in segments.enumerated() {
                for c in 0..<channels { out[p * channels + c] = sums[Int(l) * channels + c] / Double(counts[Int(l)]) }
            }
            return out
        }
    }

    /// Samples with some superpixels replaced; the candidates are the superpixels.
    struct ImageSamples: AnchorSampleSource {
        let image: [Double]
        let replacement: [Double]
        let channels: Int
        let pSample: Double
        /// The pixels of each superpixel, ascending.
        let pixels: [[Int]]
        let candidateCount: Int
        let words: Int
        var rowWidth: Int { image.count }
        let coverageCount: Int
        /// `coverageColumns[p]`: bit s set when coverage mask s keeps superpixel p.
        let coverageColumns: [[UInt64]]

        init(image: [Double], segments: [Int32], channels: Int, replacement: [Double], pSample: Double,
             coverageSamples: Int, rng: inout SeededGenerator) {
            let s = Int(segments.max() ?? 0) + 1
            var pixels = [[Int]](repeating: [], count: s)
            for (p, l) in segments.enumerated() { pixels[Int(l)].append(p) }
            self.image = image
            self.replacement = replacement
            self.channels = channels
            self.pSample = pSample
            self.pixels = pixels
            self.candidateCount = s
            self.words = max(1, (s + 63) / 64)
            self.coverageCount = coverageSamples
            var columns = [[UInt64]](repeating: [UInt64](repeating: 0, count: (coverageSamples + 63) / 64), count: s)
            for sample in 0..<coverageSamples {
                for p in 0..<s where rng.uniform() >= 0.5 { columns[p][sample / 64] |= 1 << UInt64(sample % 64) }
            }
            self.coverageColumns = columns
        }

        func draw(_ anchor: [Int], count: Int, rng: inout SeededGenerator) -> (rows: [Double], bits: [UInt64]) {
            let width = image.count
            var rows = [Double](repeating: 0, count: count * width)
            var bits = [UInt64](repeating: 0, count: count * words)
            var inAnchor = [Bool](repeating: false, count: candidateCount)
            for p in anchor { inAnchor[p] = true }
            for s in 0..<count {
                rows.replaceSubrange((s * width)..<((s + 1) * width), with: image)
                for p in 0..<candidateCount {
                    let perturb = rng.uniform() < pSample && !inAnchor[p]
                    if perturb {
                        for q in pixels[p] {
                            for c in 0..<channels { rows[s * width + q * channels + c] = replacement[q * channels + c] }
                        }
                    } else {
                        bits[s * words + p / 64] |= 1 << UInt64(p % 64)
                    }
                }
            }
            return (rows, bits)
        }

        func coverage(_ anchor: [Int]) -> Double {
            guard let first = anchor.first, coverageCount > 0 else { return 1 }
            var hits = 0
            for w in coverageColumns[first].indices {
                var word = coverageColumns[first][w]
                for p in anchor.dropFirst() { word &= coverageColumns[p][w] }
                hits += word.nonzeroBitCount
            }
            return Double(hits) / Double(coverageCount)
        }
    }
}
