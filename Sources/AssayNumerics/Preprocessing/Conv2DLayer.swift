/// A 2-D convolution over images in `Float`, channels last (NHWC), Keras' `Conv2D` with
/// `data_format='channels_last'` and equal strides in both directions.
///
/// ## Arithmetic (fixed)
///
/// The kernel is stored as Keras stores it, `[kh, kw, inChannels, outChannels]`, row-major.
/// Output `(oy, ox, o)` is
///
///     activation( (Σ over ky, kx, c of x[oy·s + ky − top, ox·s + kx − left, c] · kernel[ky, kx, c, o]) + bias[o] )
///
/// with the taps visited in the order `ky`, then `kx`, then `c` (each ascending), summed from +0,
/// and taps that fall in the padding **skipped** (not added as zeros). Then the bias is added,
/// then the activation. Like Keras (TensorFlow) it is a cross-correlation: the kernel is not
/// flipped.
///
/// ## Padding
///
/// `valid`: no padding, output size `⌊(n − k)/s⌋ + 1`. `same` (TensorFlow's rule): output size
/// `⌈n/s⌉`, total padding `max((out − 1)·s + k − n, 0)` of which `⌊total/2⌋` goes before (top,
/// left) and the rest after — so an 8-pixel side with `k = 4, s = 2` pads 1 and 1.
public struct Conv2DLayer: Sendable, Equatable, Codable {
    /// How the borders are padded.
    public enum Padding: String, Sendable, Equatable, Codable {
        /// TensorFlow's `'same'`: output side `⌈n/s⌉`, zero padding split with the extra pixel
        /// after.
        case same
        /// No padding: output side `⌊(n − k)/s⌋ + 1`.
        case valid
    }

    /// The weights, shape `[kh, kw, inChannels, outChannels]`.
    public let kernel: Tensor<Float>
    /// One bias per output channel.
    public let bias: [Float]
    /// The stride in both directions.
    public let strides: Int
    /// The padding rule.
    public let padding: Padding
    /// The activation applied last.
    public let activation: Activation

    /// The kernel height.
    public var kernelHeight: Int { kernel.shape[0] }
    /// The kernel width.
    public var kernelWidth: Int { kernel.shape[1] }
    /// The number of input channels.
    public var inputChannels: Int { kernel.shape[2] }
    /// The number of output channels (filters).
    public var outputChannels: Int { kernel.shape[3] }

    /// Makes a layer from its weights.
    /// - Throws: ``NumericsError/shapeMismatch(_:)`` when `kernel` is not rank 4 with every
    ///   dimension at least 1 or `bias` does not have one value per output channel;
    ///   ``NumericsError/domain(_:)`` when `strides < 1`; ``NumericsError/nonFinite(where:)`` when
    ///   a weight is NaN or infinite.
    public init(
        kernel: Tensor<Float>, bias: [Float], strides: Int, padding: Padding, activation: Activation
    ) throws(NumericsError) {
        guard kernel.rank == 4, kernel.shape.allSatisfy({ $0 >= 1 }) else {
            throw .shapeMismatch("a Conv2D kernel must be [kh, kw, in, out] with every dimension at least 1, got \(kernel.shape)")
        }
        guard bias.count == kernel.shape[3] else {
            throw .shapeMismatch("Conv2D layer with \(kernel.shape[3]) filters has \(bias.count) biases")
        }
        guard strides >= 1 else { throw .domain("Conv2D strides must be at least 1, got \(strides)") }
        if let (i, _) = kernel.firstNonFinite() { throw .nonFinite(where: "Conv2D kernel entry \(i)") }
        if let i = bias.firstIndex(where: { !$0.isFinite }) { throw .nonFinite(where: "Conv2D bias[\(i)]") }
        self.kernel = kernel
        self.bias = bias
        self.strides = strides
        self.padding = padding
        self.activation = activation
    }

    /// A layer with Glorot-uniform weights and zero biases (Keras' defaults), drawn from `rng`.
    ///
    /// With Keras' fans `fanIn = kh·kw·inChannels` and `fanOut = kh·kw·outChannels`,
    /// `limit = √(6 / (fanIn + fanOut))` in `Double`; the kernel's entries, in row-major order of
    /// `[kh, kw, inChannels, outChannels]`, are each `Float(rng.uniform(in: -limit ..< limit))`,
    /// rounded to nearest. Preconditions: every size and `strides` at least 1.
    public init(
        glorotUniformKernelSize size: Int, inputChannels: Int, outputChannels: Int, strides: Int,
        padding: Padding, activation: Activation, rng: inout SeededGenerator
    ) {
        precondition(size >= 1 && inputChannels >= 1 && outputChannels >= 1 && strides >= 1,
                     "a Conv2D layer needs positive kernel size, channels and strides")
        let fanIn = size * size * inputChannels, fanOut = size * size * outputChannels
        let limit = (6 / Double(fanIn + fanOut)).squareRoot()
        let count = size * size * inputChannels * outputChannels
        var w = [Float]()
        w.reserveCapacity(count)
        for _ in 0..<count { w.append(Float(rng.uniform(in: -limit..<limit))) }
        self.kernel = Tensor(uncheckedShape: [size, size, inputChannels, outputChannels], scalars: w)
        self.bias = [Float](repeating: 0, count: outputChannels)
        self.strides = strides
        self.padding = padding
        self.activation = activation
    }

    /// The output side length and the padding before, for an input side `n` and kernel side
    /// `k`; nil when `valid` padding leaves no output.
    func outputSide(_ n: Int, kernel k: Int) -> (size: Int, before: Int)? {
        switch padding {
        case .valid:
            guard n >= k else { return nil }
            return ((n - k) / strides + 1, 0)
        case .same:
            let out = (n - 1) / strides + 1  // ⌈n/s⌉ for n ≥ 1, without overflow
            let total = max((out - 1) * strides + k - n, 0)
            return (out, total / 2)
        }
    }

    /// The output shape `[height, width, outputChannels]` for an input `[height, width, channels]`.
    /// - Throws: ``NumericsError/shapeMismatch(_:)`` when the input is not rank 3 with
    ///   ``inputChannels`` channels or `valid` padding leaves no output.
    public func outputShape(forInput shape: [Int]) throws(NumericsError) -> [Int] {
        guard shape.count == 3, shape[2] == inputChannels, shape[0] >= 1, shape[1] >= 1 else {
            throw .shapeMismatch("Conv2D with \(inputChannels) input channels cannot take images of shape \(shape) (need [height, width, \(inputChannels)])")
        }
        guard let h = outputSide(shape[0], kernel: kernelHeight), let w = outputSide(shape[1], kernel: kernelWidth) else {
            throw .shapeMismatch("Conv2D kernel \(kernelHeight)×\(kernelWidth) with 'valid' padding is larger than the \(shape[0])×\(shape[1]) image")
        }
        return [h.size, w.size, outputChannels]
    }

    /// Applies the layer to `images` images of `height × width × inputChannels` (NHWC,
    /// row-major), whose output sides are `outHeight × outWidth` with padding `top`, `left`.
    ///
    /// Computed as a (sparse) im2col matrix product, with the same bits as the loop documented
    /// above. Output pixels are taken in chunks of rows; for each pixel, its taps are listed in
    /// `(ky, kx, c)` order — the same order as the row `t = (ky·kw + kx)·inChannels + c` of the
    /// kernel seen as a matrix `B` (`kh·kw·inChannels × outChannels`, which is how it is stored)
    /// — leaving out the taps in the padding (as the loop does) and the taps whose input is ±0.
    /// Then each output element sums `value · B[t, o]` over its list in increasing `t`, from +0,
    /// one IEEE multiply then one IEEE add each (Swift does not fuse or reassociate), which is the
    /// documented sum with the zero-input products left out. Leaving those out changes no bits:
    /// such a product is ±0 (the weights are finite), and a sum started at +0 is never −0 (in
    /// round-to-nearest `+0 + −0 = +0` and exact cancellation gives +0), so adding ±0 would
    /// leave it unchanged, infinite and NaN sums included. About half the inputs after a ReLU
    /// are 0, so this also halves the work. Single-threaded: the caller parallelises over
    /// images, and nothing here depends on the thread.
    func apply(
        _ x: [Float], images: Int, height: Int, width: Int,
        out: (height: Int, width: Int, top: Int, left: Int)
    ) -> [Float] {
        let cin = inputChannels, cout = outputChannels, kh = kernelHeight, kw = kernelWidth, s = strides
        let inImage = height * width * cin
        let perImage = out.height * out.width
        let pixels = images * perImage
        let inner = kh * kw * cin
        var y = [Float](repeating: 0, count: pixels * cout)
        if pixels == 0 { return y }
        let kBlocks = (inner + Self.innerBlock - 1) / Self.innerBlock
        let chunk = min(pixels, max(16, Self.chunkEntries / inner))
        // For each pixel of a chunk: its listed taps' inputs and B row offsets (t·outChannels),
        // in increasing t, at the pixel's own `inner`-sized slot; and where each inner block's
        // taps start in that list (kBlocks + 1 positions).
        let values = UnsafeMutablePointer<Float>.allocate(capacity: chunk * inner)
        let offsets = UnsafeMutablePointer<Int>.allocate(capacity: chunk * inner)
        let starts = UnsafeMutablePointer<Int>.allocate(capacity: chunk * (kBlocks + 1))
        defer { values.deallocate(); offsets.deallocate(); starts.deallocate() }
        x.withUnsafeBufferPointer { xb in
            kernel.scalars.withUnsafeBufferPointer { wb in
                y.withUnsafeMutableBufferPointer { yb in
                    guard let xp = xb.baseAddress, let wp = wb.baseAddress, let yp = yb.baseAddress else { return }
                    var p0 = 0
                    while p0 < pixels {
                        let p1 = min(p0 + chunk, pixels)
                        for p in p0..<p1 {
                            let n = p / perImage, oy = (p % perImage) / out.width, ox = p % out.width
                            let image = xp + n * inImage
                            let vals = values + (p - p0) * inner, offs = offsets + (p - p0) * inner
                            var count = 0
                            for ky in 0..<kh {
                                let iy = oy * s + ky - out.top
                                if iy < 0 || iy >= height { continue }
                                for kx in 0..<kw {
                                    let ix = ox * s + kx - out.left
                                    if ix < 0 || ix >= width { continue }
                                    let pixel = image + (iy * width + ix) * cin
                                    var offset = (ky * kw + kx) * cin * cout
                                    for c in 0..<cin {  // branch-free: write always, keep non-zeros
                                        let v = pixel[c]
                                        vals[count] = v
                                        offs[count] = offset
                                        count &+= v != 0 ? 1 : 0
                                        offset &+= cout
                                    }
                                }
                            }
                            let st = starts + (p - p0) * (kBlocks + 1)
                            st[0] = 0
                            var q = 0
                            for kb in 1..<(kBlocks + 1) {
                                let limit = min(kb * Self.innerBlock, inner) * cout
                                while q < count && offs[q] < limit { q += 1 }
                                st[kb] = q
                            }
                        }
                        for kb in 0..<kBlocks {
                            for p in p0..<p1 {
                                let st = starts + (p - p0) * (kBlocks + 1)
                                let first = st[kb], count = st[kb + 1] - first
                                if count == 0 { continue }
                                let vals = values + (p - p0) * inner + first
                                let offs = offsets + (p - p0) * inner + first
                                let yRow = yp + p * cout
                                var j = 0
                                while j + 32 <= cout {
                                    Self.row32(vals, offs, count, wp + j, yRow + j)
                                    j += 32
                                }
                                while j + 8 <= cout {
                                    Self.row8(vals, offs, count, wp + j, yRow + j)
                                    j += 8
                                }
                                while j < cout {
                                    var sum = yRow[j]
                                    for q in 0..<count { sum += vals[q] * wp[offs[q] + j] }
                                    yRow[j] = sum
                                    j += 1
                                }
                            }
                        }
                        p0 = p1
                    }
                    bias.withUnsafeBufferPointer { bb in
                        var dst = yp
                        for _ in 0..<pixels {
                            for o in 0..<cout { dst[o] = activation.apply(dst[o] + bb[o]) }
                            dst += cout
                        }
                    }
                }
            }
        }
        return y
    }

    /// Taps per inner block: each output element's partial sum over one block is kept in SIMD
    /// registers and stored back to the output (exactly) before the next block, visited in
    /// increasing order, so the blocking changes no sum; it keeps a block of the kernel in the
    /// cache while a chunk of pixels is multiplied by it.
    static let innerBlock = 128
    /// About how many taps (pixels × taps per pixel) a chunk of pixels lists at once.
    static let chunkEntries = 1 << 18

    /// `c[0..<32] += Σ_q values[q] · b[offsets[q] ..< offsets[q] + 32]`, in increasing `q`.
    @inline(__always)
    static func row32(
        _ values: UnsafePointer<Float>, _ offsets: UnsafePointer<Int>, _ count: Int,
        _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>
    ) {
        let cp = UnsafeMutableRawPointer(c)
        var c0 = cp.loadUnaligned(as: SIMD8<Float>.self)
        var c1 = cp.loadUnaligned(fromByteOffset: 32, as: SIMD8<Float>.self)
        var c2 = cp.loadUnaligned(fromByteOffset: 64, as: SIMD8<Float>.self)
        var c3 = cp.loadUnaligned(fromByteOffset: 96, as: SIMD8<Float>.self)
        for q in 0..<count {
            let v = SIMD8<Float>(repeating: values[q])
            let bp = UnsafeRawPointer(b + offsets[q])
            c0 += v * bp.loadUnaligned(as: SIMD8<Float>.self)
            c1 += v * bp.loadUnaligned(fromByteOffset: 32, as: SIMD8<Float>.self)
            c2 += v * bp.loadUnaligned(fromByteOffset: 64, as: SIMD8<Float>.self)
            c3 += v * bp.loadUnaligned(fromByteOffset: 96, as: SIMD8<Float>.self)
        }
        cp.storeBytes(of: c0, as: SIMD8<Float>.self)
        cp.storeBytes(of: c1, toByteOffset: 32, as: SIMD8<Float>.self)
        cp.storeBytes(of: c2, toByteOffset: 64, as: SIMD8<Float>.self)
        cp.storeBytes(of: c3, toByteOffset: 96, as: SIMD8<Float>.self)
    }

    /// `c[0..<8] += Σ_q values[q] · b[offsets[q] ..< offsets[q] + 8]`, in increasing `q`.
    @inline(__always)
    static func row8(
        _ values: UnsafePointer<Float>, _ offsets: UnsafePointer<Int>, _ count: Int,
        _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>
    ) {
        let cp = UnsafeMutableRawPointer(c)
        var c0 = cp.loadUnaligned(as: SIMD8<Float>.self)
        for q in 0..<count {
            c0 += SIMD8<Float>(repeating: values[q]) * UnsafeRawPointer(b + offsets[q]).loadUnaligned(as: SIMD8<Float>.self)
        }
        cp.storeBytes(of: c0, as: SIMD8<Float>.self)
    }

    enum CodingKeys: String, CodingKey { case kernel, bias, strides, padding, activation }

    /// Decodes a layer and checks it as ``init(kernel:bias:strides:padding:activation:)`` does.
    /// - Throws: `DecodingError.dataCorrupted` naming the problem.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        do {
            try self.init(
                kernel: c.decode(Tensor<Float>.self, forKey: .kernel),
                bias: c.decode([Float].self, forKey: .bias),
                strides: c.decode(Int.self, forKey: .strides),
                padding: c.decode(Padding.self, forKey: .padding),
                activation: c.decode(Activation.self, forKey: .activation))
        } catch let error as NumericsError {
            throw DecodingError.dataCorrupted(.init(codingPath: c.codingPath, debugDescription: error.description))
        }
    }
}
