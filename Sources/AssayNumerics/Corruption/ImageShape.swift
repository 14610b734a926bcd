/// The shape of one image stored as a flat row: `height × width × channels` values in row-major
/// order, so the value of pixel `(y, x)` in channel `c` is at `(y · width + x) · channels + c`
/// (NumPy's `reshape(H, W, C)`, the layout of scikit-learn's digits and of CIFAR-10 in HWC).
///
/// ```swift
/// let shape = try ImageShape(parsing: "8x8x1")   // 64 values per image
/// shape.description                              // "8x8x1"
/// ```
public struct ImageShape: Sendable, Hashable, CustomStringConvertible {
    /// Rows of pixels (≥ 1).
    public let height: Int
    /// Pixels per row (≥ 1).
    public let width: Int
    /// Values per pixel: 1 for grey, 3 for RGB (≥ 1).
    public let channels: Int

    /// The largest number of values per image accepted, 2²⁸: far beyond any image a row of a
    /// matrix holds, small enough that no index computation can overflow.
    public static let maximumValueCount = 1 << 28

    /// Makes a shape.
    /// - Throws: ``NumericsError/domain(_:)`` when a dimension is below 1 or the image would
    ///   hold more than ``maximumValueCount`` values.
    public init(height: Int, width: Int, channels: Int) throws(NumericsError) {
        guard height >= 1, width >= 1, channels >= 1 else {
            throw .domain("image shape \(height)x\(width)x\(channels): every dimension must be at least 1")
        }
        let (hw, o1) = height.multipliedReportingOverflow(by: width)
        let (count, o2) = hw.multipliedReportingOverflow(by: channels)
        guard !o1, !o2, count <= Self.maximumValueCount else {
            throw .domain("image shape \(height)x\(width)x\(channels): more than \(Self.maximumValueCount) values per image")
        }
        self.height = height
        self.width = width
        self.channels = channels
    }

    /// Parses `HxWxC` (e.g. `8x8x1`, `32x32x3`), or `HxW` for one channel; `×` may stand for `x`.
    /// - Throws: ``NumericsError/domain(_:)`` naming the text when it is not two or three
    ///   positive decimal integers separated by `x`.
    public init(parsing text: String) throws(NumericsError) {
        let parts = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "x" || $0 == "X" || $0 == "×" })
        var dims: [Int] = []
        for part in parts {
            guard !part.isEmpty, part.allSatisfy({ $0.isASCII && $0.isNumber }), part.count <= 9, let d = Int(part) else {
                dims = []
                break
            }
            dims.append(d)
        }
        guard dims.count == 2 || dims.count == 3 else {
            throw .domain("image shape \(text.debugDescription) is not HxWxC (e.g. 8x8x1 or 32x32x3)")
        }
        try self.init(height: dims[0], width: dims[1], channels: dims.count == 3 ? dims[2] : 1)
    }

    /// Values per image: `height · width · channels`.
    public var valueCount: Int { height * width * channels }

    /// `HxWxC`, e.g. `8x8x1`.
    public var description: String { "\(height)x\(width)x\(channels)" }

    /// `[height, width, channels]`.
    public var dimensions: [Int] { [height, width, channels] }
}
