import AssayNumerics

/// SLIC superpixels (Achanta et al. 2012) as scikit-image's `slic` computes them with Alibi's
/// AnchorImage defaults: `n_segments` 10, `compactness` 10, `sigma` 0.5, `max_num_iter` 10,
/// `enforce_connectivity` with `min_size_factor` 0.5 and `max_size_factor` 3, `start_label` 0.
///
/// 1. The image (H×W×C, channels last) is rescaled to [0, 1] by its global minimum and maximum.
/// 2. A 3-channel image is converted from sRGB to CIELAB (D65, 2°; scikit-image's `rgb2lab`);
///    any other channel count is used as is (one channel: grey).
/// 3. Each channel is smoothed by a Gaussian of standard deviation ``sigma`` pixels along y, then
///    x (radius `⌊4σ + 0.5⌋`, half-sample symmetric borders: SciPy's `mode='reflect'`).
/// 4. Centres start on scikit-image's `regular_grid` for ``nSegments`` points (step
///    `√(H·W/n)`, offset half a step), with colour 0. Ten rounds of k-means follow, each pixel
///    going to the centre within `2·step` pixels that minimises
///    `‖colour − c‖²/compactness² + ‖xy − c‖²/step²` (ties to the lower centre), then centres
///    move to their pixels' means.
/// 5. Connectivity: scanning pixels in raster order, each 4-connected component of a label
///    (grown breadth-first up to `3·H·W/K` pixels, K the number of centres) gets a new label;
///    one smaller than `0.5·H·W/K` pixels joins the last labelled component it touches.
///
/// Labels are `0…S−1` (S need not equal ``nSegments``), and every label is one 4-connected
/// region. The result depends only on the inputs: no randomness, and only
/// ``DeterministicMath`` for `exp`, `log` and roots.
///
/// ## Differences from scikit-image
///
/// - Arithmetic is in `Double` in a fixed order; scikit-image works in the image's float type
///   (float32 for float32 input) and SciPy's filters in float64. Labels agree except near ties.
/// - `pow` and `cbrt` in the colour conversion are computed through ``DeterministicMath``'s `exp`
///   and `log` (results may differ in the last bits).
/// - A component smaller than the minimum size that touches no component labelled before it
///   keeps its own label (scikit-image gives it label 0, which can make label 0 disconnected).
/// - An image with fewer pixels than ``nSegments`` is refused (scikit-image makes every pixel a
///   segment); masks, anisotropic `spacing` and `slic_zero` are not supported.
public struct SLIC: Sendable, Hashable, Codable {
    /// The approximate number of superpixels wanted (scikit-image's `n_segments`).
    public var nSegments: Int
    /// The balance of colour and space: higher gives squarer superpixels.
    public var compactness: Double
    /// The Gaussian smoothing's standard deviation, in pixels (0: no smoothing).
    public var sigma: Double
    /// k-means rounds (scikit-image's `max_num_iter`).
    public var maxIterations: Int

    /// Makes the segmenter; the defaults are Alibi's AnchorImage ones.
    public init(nSegments: Int = 10, compactness: Double = 10, sigma: Double = 0.5, maxIterations: Int = 10) {
        self.nSegments = nSegments
        self.compactness = compactness
        self.sigma = sigma
        self.maxIterations = maxIterations
    }

    /// The superpixel label of each pixel of `image` (H×W×C values, channels last), H×W labels
    /// in row-major order.
    /// - Throws: ``ExplainerError/invalidParameter(name:problem:valid:)`` for `nSegments` or
    ///   `maxIterations` below 1, a `compactness` that is not positive and finite, or a negative
    ///   or non-finite `sigma`; ``ExplainerError/invalidData(place:problem:fix:)`` for a shape
    ///   below 1, an image whose length is not H·W·C, a non-finite value, or fewer pixels than
    ///   `nSegments`.
    /// - Complexity: O(maxIterations · H · W · 16) with the default grid (each pixel lies in
    ///   about 16 centres' windows).
    public func segment(_ image: [Double], height: Int, width: Int, channels: Int) throws(ExplainerError) -> [Int32] {
        guard nSegments >= 1 else {
            throw .invalidParameter(name: "nSegments", problem: "is \(nSegments)", valid: "Use at least 1, e.g. 10")
        }
        guard maxIterations >= 1 else {
            throw .invalidParameter(name: "maxIterations", problem: "is \(maxIterations)", valid: "Use at least 1, e.g. 10")
        }
        guard compactness > 0, compactness.isFinite else {
            throw .invalidParameter(name: "compactness", problem: "is \(compactness)", valid: "Use a positive number, e.g. 10")
        }
        guard sigma >= 0, sigma.isFinite else {
            throw .invalidParameter(name: "sigma", problem: "is \(sigma)", valid: "Use a standard deviation ≥ 0 in pixels, e.g. 0.5")
        }
        guard height >= 1, width >= 1, channels >= 1 else {
            throw .invalidData(place: "image shape \(height)x\(width)x\(channels)", problem: "has a dimension below 1",
                               fix: "Give the height, width and channels of the image")
        }
        let (hw, o1) = height.multipliedReportingOverflow(by: width)
        let (count, o2) = hw.multipliedReportingOverflow(by: channels)
        guard !o1, !o2, count <= ImageShape.maximumValueCount else {
            throw .invalidData(place: "image shape \(height)x\(width)x\(channels)", problem: "holds too many values",
                               fix: "Use an image of at most \(ImageShape.maximumValueCount) values")
        }
        guard image.count == count else {
            throw .invalidData(place: "image", problem: "has \(image.count) values, the shape \(height)x\(width)x\(channels) needs \(count)",
                               fix: "Pass one image as H×W×C values, channels last")
        }
        if let i = image.firstIndex(where: { !$0.isFinite }) {
            throw .invalidData(place: "image value \(i) (pixel \(i / channels / width), \(i / channels % width))",
                               problem: "is \(image[i])", fix: "Pass finite pixel values")
        }
        guard hw >= nSegments else {
            throw .invalidData(place: "image shape \(height)x\(width)x\(channels)",
                               problem: "has \(hw) pixels, fewer than the \(nSegments) superpixels asked for",
                               fix: "Ask for at most \(hw) segments, or use a larger image")
        }
        var features = Self.rescaled(image)
        if channels == 3 { features = Self.lab(features) }
        if sigma > 0 { features = Self.smoothed(features, height: height, width: width, channels: channels, sigma: sigma) }
        let scale = 1 / compactness
        for i in features.indices { features[i] *= scale }
        let (centres, step) = Self.gridCentres(height: height, width: width, count: nSegments)
        let labels = Self.cluster(features, height: height, width: width, channels: channels, centres: centres,
                                  step: step, iterations: maxIterations)
        let segmentSize = Double(hw) / Double(centres.count)
        return Self.connected(labels, height: height, width: width, minSize: Int(0.5 * segmentSize),
                              maxSize: Int(3 * segmentSize))
    }

    // MARK: Stages

    /// `(x − min) / (max − min)` over all values (unchanged but shifted when constant).
    static func rescaled(_ x: [Double]) -> [Double] {
        guard let lo = x.min(), let hi = x.max() else { return x }
        return hi == lo ? x.map { $0 - lo } : x.map { ($0 - lo) / (hi - lo) }
    }

    /// scikit-image's `rgb2lab` (sRGB, D65 2° white point) on H×W×3 values in [0, 1].
    static func lab(_ rgb: [Double]) -> [Double] {
        func linear(_ c: Double) -> Double {
            c > 0.04045 ? DeterministicMath.exp(2.4 * DeterministicMath.log((c + 0.055) / 1.055)) : c / 12.92
        }
        func f(_ t: Double) -> Double {
            t > 0.008856 ? DeterministicMath.exp(DeterministicMath.log(t) / 3) : 7.787 * t + 16.0 / 116.0
        }
        var out = rgb
        for p in 0..<(rgb.count / 3) {
            let r = linear(rgb[3 * p]), g = linear(rgb[3 * p + 1]), b = linear(rgb[3 * p + 2])
            let x = (0.412453 * r + 0.357580 * g + 0.180423 * b) / 0.95047
            let y = 0.212671 * r + 0.715160 * g + 0.072169 * b
            let z = (0.019334 * r + 0.119193 * g + 0.950227 * b) / 1.08883
            let fx = f(x), fy = f(y), fz = f(z)
            out[3 * p] = 116 * fy - 16
            out[3 * p + 1] = 500 * (fx - fy)
            out[3 * p + 2] = 200 * (fy - fz)
        }
        return out
    }

    /// Gaussian smoothing along y then x, SciPy's `gaussian_filter1d` with `truncate` 4 and
    /// `mode='reflect'`.
    static func smoothed(_ x: [Double], height: Int, width: Int, channels: Int, sigma: Double) -> [Double] {
        let radius = Int(4 * sigma + 0.5)
        var kernel = (-radius...radius).map { DeterministicMath.exp(-0.5 * Double($0 * $0) / (sigma * sigma)) }
        let total = kernel.reduce(0, +)
        for i in kernel.indices { kernel[i] /= total }
        func reflect(_ i: Int, _ n: Int) -> Int {
            var i = i
            while i < 0 || i >= n { i = i < 0 ? -i - 1 : 2 * n - i - 1 }
            return i
        }
        var tmp = x
        for y in 0..<height {
            for xx in 0..<width {
                for c in 0..<channels {
                    var s = 0.0
                    for k in -radius...radius { s += kernel[k + radius] * x[(reflect(y + k, height) * width + xx) * channels + c] }
                    tmp[(y * width + xx) * channels + c] = s
                }
            }
        }
        var out = tmp
        for y in 0..<height {
            for xx in 0..<width {
                for c in 0..<channels {
                    var s = 0.0
                    for k in -radius...radius { s += kernel[k + radius] * tmp[(y * width + reflect(xx + k, width)) * channels + c] }
                    out[(y * width + xx) * channels + c] = s
                }
            }
        }
        return out
    }

    /// scikit-image's `regular_grid((1, H, W), n)` as centre coordinates (y, x), and the largest
    /// step.
    static func gridCentres(height: Int, width: Int, count n: Int) -> (centres: [(y: Double, x: Double)], step: Double) {
        let shape = [1, height, width]
        // The dimensions sorted ascending, stable (NumPy's argsort of three values).
        let order = shape.indices.sorted { shape[$0] < shape[$1] || (shape[$0] == shape[$1] && $0 < $1) }
        let sorted = order.map { Double(shape[$0]) }
        let space = Double(height * width)
        var steps = [Double](repeating: DeterministicMath.exp(DeterministicMath.log(space / Double(n)) / 3), count: 3)
        if zip(sorted, steps).contains(where: { $0 < $1 }) {
            for dim in 0..<3 {
                steps[dim] = sorted[dim]
                let rest = sorted[(dim + 1)...].reduce(1, *)
                let remaining = 3 - dim - 1
                if remaining > 0 {
                    let s = remaining == 1 ? rest / Double(n) : DeterministicMath.exp(DeterministicMath.log(rest / Double(n)) / Double(remaining))
                    for d in (dim + 1)..<3 { steps[d] = s }
                }
                if !zip(sorted, steps).contains(where: { $0 < $1 }) { break }
            }
        }
        var starts = [Int](repeating: 0, count: 3), stepInts = [Int](repeating: 1, count: 3)
        for (sortedIndex, dim) in order.enumerated() {
            starts[dim] = Int((steps[sortedIndex] / 2).rounded(.down))
            stepInts[dim] = max(1, Int(steps[sortedIndex].rounded(.toNearestOrEven)))
        }
        var centres: [(y: Double, x: Double)] = []
        for y in stride(from: starts[1], to: height, by: stepInts[1]) {
            for x in stride(from: starts[2], to: width, by: stepInts[2]) { centres.append((Double(y), Double(x))) }
        }
        return (centres, Double(stepInts.max() ?? 1))
    }

    /// The k-means rounds; the label of each pixel (an index into `centres`).
    static func cluster(_ image: [Double], height: Int, width: Int, channels: Int, centres: [(y: Double, x: Double)],
                        step: Double, iterations: Int) -> [Int] {
        let k = centres.count, features = 2 + channels
        var segments = [Double](repeating: 0, count: k * features)
        for (i, c) in centres.enumerated() {
            segments[i * features] = c.y
            segments[i * features + 1] = c.x
        }
        let spatialWeight = 1 / (step * step)
        var nearest = [Int](repeating: 0, count: height * width)
        var distance = [Double](repeating: .greatestFiniteMagnitude, count: height * width)
        for _ in 0..<iterations {
            for i in distance.indices { distance[i] = .greatestFiniteMagnitude }
            for s in 0..<k {
                let cy = segments[s * features], cx = segments[s * features + 1]
                let yMin = Int(max(cy - 2 * step, 0)), yMax = Int(min(cy + 2 * step + 1, Double(height)))
                let xMin = Int(max(cx - 2 * step, 0)), xMax = Int(min(cx + 2 * step + 1, Double(width)))
                guard yMin < yMax, xMin < xMax else { continue }
                for y in yMin..<yMax {
                    let dy = (cy - Double(y)) * (cy - Double(y))
                    for x in xMin..<xMax {
                        let dx = (cx - Double(x)) * (cx - Double(x))
                        var d = (dy + dx) * spatialWeight
                        let p = y * width + x
                        for c in 0..<channels {
                            let diff = image[p * channels + c] - segments[s * features + 2 + c]
                            d += diff * diff
                        }
                        if distance[p] > d {
                            nearest[p] = s
                            distance[p] = d
                        }
                    }
                }
            }
            var counts = [Int](repeating: 0, count: k)
            for i in segments.indices { segments[i] = 0 }
            for y in 0..<height {
                for x in 0..<width {
                    let p = y * width + x, s = nearest[p]
                    counts[s] += 1
                    segments[s * features] += Double(y)
                    segments[s * features + 1] += Double(x)
                    for c in 0..<channels { segments[s * features + 2 + c] += image[p * channels + c] }
                }
            }
            for s in 0..<k where counts[s] > 0 {
                for f in 0..<features { segments[s * features + f] /= Double(counts[s]) }
            }
        }
        return nearest
    }

    /// scikit-image's `_enforce_label_connectivity_cython` in 2-D (4-neighbours), labels from 0.
    static func connected(_ labels: [Int], height: Int, width: Int, minSize: Int, maxSize: Int) -> [Int32] {
        var out = [Int32](repeating: -1, count: labels.count)
        let dy = [0, 0, 1, -1], dx = [1, -1, 0, 0]
        var queue = [Int](repeating: 0, count: max(maxSize, 1))
        var next: Int32 = 0
        for start in labels.indices where out[start] < 0 {
            let label = labels[start]
            out[start] = next
            queue[0] = start
            var size = 1, visited = 0
            var adjacent: Int32 = -1
            grow: while visited < size && size < maxSize {
                let p = queue[visited], y = p / width, x = p % width
                for i in 0..<4 {
                    let yy = y + dy[i], xx = x + dx[i]
                    guard yy >= 0, yy < height, xx >= 0, xx < width else { continue }
                    let q = yy * width + xx
                    if labels[q] == label && out[q] < 0 {
                        out[q] = next
                        queue[size] = q
                        size += 1
                        if size >= maxSize { break grow }
                    } else if out[q] >= 0 && out[q] != next {
                        adjacent = out[q]
                    }
                }
                visited += 1
            }
            if size < minSize && adjacent >= 0 {
                for i in 0..<size { out[queue[i]] = adjacent }
            } else {
                next += 1
            }
        }
        return out
    }
}
