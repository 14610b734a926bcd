/// Common image corruptions in the style of Hendrycks and Dietterich's ImageNet-C ("Benchmarking
/// Neural Network Robustness to Common Corruptions and Perturbations", ICLR 2019), adapted to
/// small images (8×8 to 32×32) with values in any range, at five severities.
///
/// Each image is a flat row of ``ImageShape/valueCount`` values (see ``ImageShape``). Amounts are
/// relative to the **range** `[lo, hi]` the caller passes — Assay passes the observed minimum and
/// maximum of the whole input, so 0–16 digits stay 0–16 — and every result is clipped to it.
///
/// | kind | what is done to each image | severity 1, 2, 3, 4, 5 |
/// |---|---|---|
/// | `gaussian-noise` | add independent normal noise with σ = c·(hi − lo) to every value | c = 0.08, 0.12, 0.18, 0.26, 0.38 |
/// | `motion-blur` | average L samples along a line through each pixel, at a random direction per image | L = 2, 3, 4, 5, 6 pixels |
/// | `brightness` | add c·(hi − lo) to every value | c = 0.1, 0.2, 0.3, 0.4, 0.5 |
/// | `pixelation` | average over areas down to round(r·H) × round(r·W) cells, then scale back up by nearest neighbour | r = 7/8, 5/8, 1/2, 3/8, 1/4 |
///
/// Gaussian-noise and brightness amounts are ImageNet-C's (there for values in [0, 1]);
/// ImageNet-C's brightness shifts V in HSV, which for grey images is this additive shift.
/// Motion-blur lengths and pixelation ratios are chosen for small images (ImageNet-C's 224-pixel
/// settings would blur or pixelate an 8×8 image away, or not at all): an 8×8 image is pixelated
/// to 7, 5, 4, 3 and 2 cells a side, a 32×32 one to 28, 20, 16, 12 and 8; on the digits the mean
/// absolute change grows with severity for every kind (a test checks it).
///
/// ## Determinism
///
/// Randomness comes only from the ``SeededGenerator`` passed in, consumed image by image in row
/// order: gaussian noise draws one ``SeededGenerator/normal()`` per value in row-major order;
/// motion blur draws one direction per image (two ``SeededGenerator/uniform()`` per try, see
/// ``motionBlur(_:shape:length:range:rng:)``); brightness and pixelation draw nothing. The
/// arithmetic is plain IEEE addition, multiplication, division and square root in a fixed
/// order, so results are the same bits on every machine, in every build.
public enum ImageCorruption: String, CaseIterable, Sendable, Codable {
    /// Additive normal noise.
    case gaussianNoise = "gaussian-noise"
    /// A linear motion blur at a random direction per image.
    case motionBlur = "motion-blur"
    /// An additive brightness shift.
    case brightness
    /// Area-average downsampling then nearest-neighbour upsampling.
    case pixelation

    /// The severities: 1 (mild) to 5 (strong).
    public static let severities: ClosedRange<Int> = 1...5

    /// Gaussian noise: σ as a fraction of the range, by severity 1–5 (ImageNet-C's).
    public static let gaussianNoiseScales: [Double] = [0.08, 0.12, 0.18, 0.26, 0.38]
    /// Motion blur: the kernel length in pixels, by severity 1–5.
    public static let motionBlurLengths: [Int] = [2, 3, 4, 5, 6]
    /// Brightness: the shift as a fraction of the range, by severity 1–5 (ImageNet-C's).
    public static let brightnessShifts: [Double] = [0.1, 0.2, 0.3, 0.4, 0.5]
    /// Pixelation: the fraction of each side kept, as a ratio, by severity 1–5.
    public static let pixelationRatios: [(numerator: Int, denominator: Int)] = [(7, 8), (5, 8), (1, 2), (3, 8), (1, 4)]

    /// The severity table of this kind, as text for help and documentation, e.g.
    /// `"σ = c·(max − min), c = 0.08, 0.12, 0.18, 0.26, 0.38"`.
    public var severityTable: String {
        switch self {
        case .gaussianNoise:
            return "σ = c·(max − min), c = " + Self.gaussianNoiseScales.map { "\($0)" }.joined(separator: ", ")
        case .motionBlur:
            return "kernel length L = " + Self.motionBlurLengths.map(String.init).joined(separator: ", ") + " pixels"
        case .brightness:
            return "shift = c·(max − min), c = " + Self.brightnessShifts.map { "\($0)" }.joined(separator: ", ")
        case .pixelation:
            return "cells per side = round(r·side), r = " + Self.pixelationRatios.map { "\($0.numerator)/\($0.denominator)" }.joined(separator: ", ")
        }
    }

    /// The smallest and largest value of `tensor`, or `nil` when it is empty or holds a NaN.
    public static func observedRange(of tensor: Tensor<Double>) -> ClosedRange<Double>? {
        guard var lo = tensor.scalars.first, !lo.isNaN else { return nil }
        var hi = lo
        for v in tensor.scalars {
            if v.isNaN { return nil }
            if v < lo { lo = v }
            if v > hi { hi = v }
        }
        return lo...hi
    }

    /// Corrupts every image of `images` (a matrix whose rows are images of `shape`).
    ///
    /// - Parameters:
    ///   - images: a tensor whose rows (``Tensor/rowMatrix()``) hold ``ImageShape/valueCount``
    ///     finite values each.
    ///   - severity: 1 to 5 (see the table in the type's documentation).
    ///   - range: the value range amounts are relative to and results are clipped to.
    ///   - rng: the generator, advanced image by image in row order.
    /// - Returns: a matrix `[rows, valueCount]` of the corrupted images, in the same order.
    /// - Throws: ``NumericsError/domain(_:)`` for a severity outside 1–5 or a non-finite range;
    ///   ``NumericsError/shapeMismatch(_:)`` when the row width is not the shape's value count;
    ///   ``NumericsError/nonFinite(where:)`` for a NaN or infinite value (naming row and column).
    /// - Complexity: O(rows · valueCount · L) for motion blur, O(rows · valueCount) otherwise.
    public func apply(to images: Tensor<Double>, shape: ImageShape, severity: Int, range: ClosedRange<Double>,
                      rng: inout SeededGenerator) throws(NumericsError) -> Tensor<Double> {
        guard Self.severities.contains(severity) else {
            throw .domain("severity \(severity) (use 1 to 5)")
        }
        guard range.lowerBound.isFinite, range.upperBound.isFinite, (range.upperBound - range.lowerBound).isFinite else {
            throw .domain("range \(range) (use finite bounds)")
        }
        let matrix = images.rowMatrix()
        let n = matrix.rowCount, width = matrix.rowWidth
        guard width == shape.valueCount else {
            throw .shapeMismatch("rows have \(width) values, images of shape \(shape) have \(shape.valueCount)")
        }
        if let (i, v) = matrix.firstNonFinite() {
            throw .nonFinite(where: "row \(i / max(width, 1) + 1), column \(i % max(width, 1) + 1) (\(v))")
        }
        var out = [Double]()
        out.reserveCapacity(matrix.scalars.count)
        let level = severity - 1
        for r in 0..<n {
            let image = matrix.scalars[(r * width)..<((r + 1) * width)]
            let corrupted: [Double]
            switch self {
            case .gaussianNoise:
                corrupted = Self.gaussianNoise(image, scale: Self.gaussianNoiseScales[level], range: range, rng: &rng)
            case .motionBlur:
                corrupted = Self.motionBlur(image, shape: shape, length: Self.motionBlurLengths[level], range: range, rng: &rng)
            case .brightness:
                corrupted = Self.brightness(image, shift: Self.brightnessShifts[level], range: range)
            case .pixelation:
                let ratio = Self.pixelationRatios[level]
                corrupted = Self.pixelation(image, shape: shape, numerator: ratio.numerator, denominator: ratio.denominator, range: range)
            }
            out.append(contentsOf: corrupted)
        }
        return try Tensor(shape: [n, width], scalars: out)
    }
}
