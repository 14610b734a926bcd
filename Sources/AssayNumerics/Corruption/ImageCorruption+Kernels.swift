/// The four corruptions applied to one image (a flat row-major `H × W × C` row). Each clips its
/// result to `range`; see ``ImageCorruption`` for the severity tables that choose the amounts.
extension ImageCorruption {
    /// `v` clipped to `range`.
    @inlinable
    static func clip(_ v: Double, to range: ClosedRange<Double>) -> Double {
        Swift.min(Swift.max(v, range.lowerBound), range.upperBound)
    }

    /// Adds `σ · normal()` to every value, σ = `scale · (hi − lo)`, drawing one
    /// ``SeededGenerator/normal()`` per value in order, then clips.
    public static func gaussianNoise<C: Collection<Double>>(_ image: C, scale: Double, range: ClosedRange<Double>,
                                                           rng: inout SeededGenerator) -> [Double] {
        let sigma = scale * (range.upperBound - range.lowerBound)
        return image.map { clip($0 + sigma * rng.normal(), to: range) }
    }

    /// Adds `shift · (hi − lo)` to every value, then clips.
    public static func brightness<C: Collection<Double>>(_ image: C, shift: Double, range: ClosedRange<Double>) -> [Double] {
        let delta = shift * (range.upperBound - range.lowerBound)
        return image.map { clip($0 + delta, to: range) }
    }

    /// Pixelates: each channel is averaged over areas down to `h × w` cells, where
    /// `h = max(1, round(numerator · H / denominator))` (halves round up; likewise `w`), and
    /// scaled back up by nearest neighbour; then clipped.
    ///
    /// The area average is the exact box filter for any ratio (as PIL's `BOX` and OpenCV's
    /// `INTER_AREA`): cell `i` covers source rows `[i·H/h, (i+1)·H/h)`, and a source row counts
    /// with the length of its overlap; overlaps are integers in units of `1/h` pixel, so the
    /// weights are exact. Output row `y` takes cell `⌊(2y + 1)·h / (2H)⌋`, the cell holding
    /// its centre; likewise columns. A constant image is returned unchanged.
    public static func pixelation<C: Collection<Double>>(_ image: C, shape: ImageShape, numerator: Int, denominator: Int,
                                                        range: ClosedRange<Double>) -> [Double] {
        precondition(image.count == shape.valueCount && numerator >= 1 && denominator >= 1)
        let pixels = Array(image)
        let H = shape.height, W = shape.width, C = shape.channels
        let h = Swift.max(1, (2 * numerator * H + denominator) / (2 * denominator))
        let w = Swift.max(1, (2 * numerator * W + denominator) / (2 * denominator))
        // overlap[i][p]: length of cell i ∩ source pixel p, in units of 1/cells pixel; each
        // cell's overlaps sum to `side`.
        func overlaps(side: Int, cells: Int) -> [[(index: Int, weight: Int)]] {
            (0..<cells).map { i in
                let start = i * side, end = (i + 1) * side
                return (0..<side).compactMap { p in
                    let o = Swift.min(end, (p + 1) * cells) - Swift.max(start, p * cells)
                    return o > 0 ? (p, o) : nil
                }
            }
        }
        let rows = overlaps(side: H, cells: h), columns = overlaps(side: W, cells: w)
        let area = Double(H * W)
        var cells = [Double](repeating: 0, count: h * w * C)
        for i in 0..<h {
            for j in 0..<w {
                for c in 0..<C {
                    var total = 0.0
                    for (p, oy) in rows[i] {
                        for (q, ox) in columns[j] {
                            total += Double(oy * ox) * pixels[(p * W + q) * C + c]
                        }
                    }
                    cells[(i * w + j) * C + c] = total / area
                }
            }
        }
        var out = [Double](repeating: 0, count: pixels.count)
        for y in 0..<H {
            let i = (2 * y + 1) * h / (2 * H)
            for x in 0..<W {
                let j = (2 * x + 1) * w / (2 * W)
                for c in 0..<C {
                    out[(y * W + x) * C + c] = clip(cells[(i * w + j) * C + c], to: range)
                }
            }
        }
        return out
    }

    /// A random direction, uniform over the circle: draws `u = 2·uniform() − 1` then
    /// `v = 2·uniform() − 1` until `0 < u² + v² ≤ 1`, and returns `(u, v) / √(u² + v²)` as
    /// `(dx, dy)` (no sine or cosine, so no platform libm).
    public static func randomDirection(rng: inout SeededGenerator) -> (dx: Double, dy: Double) {
        while true {
            let u = 2 * rng.uniform() - 1
            let v = 2 * rng.uniform() - 1
            let s = u * u + v * v
            if s > 0 && s <= 1 {
                let r = s.squareRoot()
                return (u / r, v / r)
            }
        }
    }

    /// Motion blur: every output pixel is the mean of `length` samples taken one pixel apart
    /// along a line through it, centred on it (offsets `k − (length − 1)/2`, k = 0 … length − 1),
    /// in one direction per image from ``randomDirection(rng:)``; then clipped.
    ///
    /// A sample between pixels is interpolated bilinearly; a sample outside the image takes the
    /// nearest edge value (coordinates are clamped, as `mode="nearest"` in SciPy), so a constant
    /// image stays constant. Channels are blurred alike. A centred kernel is symmetric, so
    /// directions θ and θ + 180° give the same blur.
    public static func motionBlur<C: Collection<Double>>(_ image: C, shape: ImageShape, length: Int, range: ClosedRange<Double>,
                                                        rng: inout SeededGenerator) -> [Double] {
        precondition(image.count == shape.valueCount && length >= 1)
        let (dx, dy) = randomDirection(rng: &rng)
        return motionBlur(Array(image), shape: shape, length: length, direction: (dx, dy), range: range)
    }

    /// Motion blur along a given unit `direction` `(dx, dy)` (x to the right, y down); see
    /// ``motionBlur(_:shape:length:range:rng:)``.
    public static func motionBlur(_ pixels: [Double], shape: ImageShape, length: Int, direction: (dx: Double, dy: Double),
                                  range: ClosedRange<Double>) -> [Double] {
        precondition(pixels.count == shape.valueCount && length >= 1)
        let H = shape.height, W = shape.width, C = shape.channels
        let maxY = Double(H - 1), maxX = Double(W - 1)
        let centre = Double(length - 1) / 2
        // Sample positions relative to the pixel, the same for every pixel of the image.
        let offsets = (0..<length).map { k in (dy: (Double(k) - centre) * direction.dy, dx: (Double(k) - centre) * direction.dx) }
        var out = [Double](repeating: 0, count: pixels.count)
        var totals = [Double](repeating: 0, count: C)
        for y in 0..<H {
            for x in 0..<W {
                for c in 0..<C { totals[c] = 0 }
                for o in offsets {
                    let sy = Swift.min(Swift.max(Double(y) + o.dy, 0), maxY)
                    let sx = Swift.min(Swift.max(Double(x) + o.dx, 0), maxX)
                    let y0 = Int(sy.rounded(.down)), x0 = Int(sx.rounded(.down))
                    let fy = sy - Double(y0), fx = sx - Double(x0)
                    let y1 = Swift.min(y0 + 1, H - 1), x1 = Swift.min(x0 + 1, W - 1)
                    for c in 0..<C {
                        let v00 = pixels[(y0 * W + x0) * C + c], v01 = pixels[(y0 * W + x1) * C + c]
                        let v10 = pixels[(y1 * W + x0) * C + c], v11 = pixels[(y1 * W + x1) * C + c]
                        let top = v00 + fx * (v01 - v00)
                        let bottom = v10 + fx * (v11 - v10)
                        totals[c] += top + fy * (bottom - top)
                    }
                }
                for c in 0..<C {
                    out[(y * W + x) * C + c] = clip(totals[c] / Double(length), to: range)
                }
            }
        }
        return out
    }
}
