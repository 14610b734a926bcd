/// The convolutional front end of an autoencoder's or a VAE's encoder, for image data: what to
/// build, before training (the trained layers are a ``ConvolutionalNetwork``).
///
/// The rows of the data are images flattened in NHWC order (height, then width, then channel, as
/// image captures store them and as Keras' `channels_last` layout flattens). The encoder becomes
///
///     image [H, W, C] → Conv2D(filters[0], kernel, stride, 'same', relu) → … → Conv2D(filters.last, …)
///         → flatten → the dense hidden layers (relu) → latent (or the VAE's μ and log σ² heads)
///
/// as the encoder of Alibi Detect's CIFAR-10 example (`Conv2D(64, 4, strides=2, padding='same',
/// activation=relu)`, then 128 and 512 filters). The decoder stays dense (latent → hidden →
/// H·W·C): there are no transposed convolutions, unlike that example's decoder. That is enough for
/// small images (8×8 digits, 32×32 thumbnails); the reconstruction is still scored per pixel.
///
/// JSON keys are Keras' names: `shape`, `filters`, `kernel_size` (default 4) and `strides`
/// (default 2).
///
/// ```swift
/// let conv = ConvolutionalEncoder(shape: [8, 8, 1], filters: [16, 32])
/// let ae = try AutoencoderOutlier.train(x: digits, hidden: [64], latent: 8, convolution: conv, rng: &rng, pool: nil)
/// ```
public struct ConvolutionalEncoder: Sendable, Codable, Equatable {
    /// The image shape `[height, width, channels]`; its product is the number of features.
    public var shape: [Int]
    /// The number of filters of each convolution layer, in forward order (e.g. `[16, 32]`).
    public var filters: [Int]
    /// The side of the square kernels (Keras' `kernel_size`).
    public var kernel: Int
    /// The stride in both directions (Keras' `strides`).
    public var stride: Int

    public init(shape: [Int], filters: [Int], kernel: Int = 4, stride: Int = 2) {
        self.shape = shape
        self.filters = filters
        self.kernel = kernel
        self.stride = stride
    }

    /// Checks the configuration, and against `features` values per row when given.
    /// - Throws: ``DetectorError/invalidParameter(name:problem:valid:)`` when the shape is not
    ///   three sizes of at least 1 or its product is not `features`, `filters` is empty or has a
    ///   count below 1, or the kernel side or the stride is below 1.
    public func check(features: Int?) throws(DetectorError) {
        guard shape.count == 3, shape.allSatisfy({ $0 >= 1 }) else {
            throw .invalidParameter(name: "convolution.shape", problem: "\(shape) is not [height, width, channels] with every size at least 1",
                                    valid: "Pass the images' shape, e.g. [8, 8, 1] for 8×8 grey images or [32, 32, 3] for colour ones.")
        }
        if let features, checkedProduct(shape) != features {
            let product = checkedProduct(shape).map(String.init) ?? "too many"
            throw .invalidParameter(name: "convolution.shape", problem: "\(shape) holds \(product) values per image but the rows have \(features) features",
                                    valid: "Pass [height, width, channels] with height·width·channels equal to the number of features (rows are images flattened height, width, channel).")
        }
        guard !filters.isEmpty else {
            throw .invalidParameter(name: "convolution.filters", problem: "is empty",
                                    valid: "Pass the filter count of each convolution layer, at least one layer, e.g. [16, 32].")
        }
        if let bad = filters.first(where: { $0 < 1 }) {
            throw .invalidParameter(name: "convolution.filters", problem: "filter count \(bad) is below 1",
                                    valid: "Pass filter counts of at least 1, e.g. [16, 32].")
        }
        guard kernel >= 1 else {
            throw .invalidParameter(name: "convolution.kernel_size", problem: "\(kernel) is below 1",
                                    valid: "Pass a kernel side of at least 1 (Alibi Detect's CIFAR-10 example uses 4).")
        }
        guard stride >= 1 else {
            throw .invalidParameter(name: "convolution.strides", problem: "\(stride) is below 1",
                                    valid: "Pass a stride of at least 1 (Alibi Detect's CIFAR-10 example uses 2).")
        }
    }

    enum CodingKeys: String, CodingKey { case shape, filters, kernel = "kernel_size", stride = "strides" }

    /// Decodes a configuration; `kernel_size` and `strides` default to 4 and 2. The values are
    /// checked when training (``check(features:)``), where the feature count is known.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        shape = try c.decode([Int].self, forKey: .shape)
        filters = try c.decode([Int].self, forKey: .filters)
        kernel = try c.decodeIfPresent(Int.self, forKey: .kernel) ?? 4
        stride = try c.decodeIfPresent(Int.self, forKey: .stride) ?? 2
    }
}
