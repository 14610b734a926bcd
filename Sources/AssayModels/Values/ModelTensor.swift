/// The element types the runtime computes with. Raw values are ONNX `TensorProto.DataType`
/// numbers.
public enum ElementType: Int, Sendable, Equatable, Codable, CaseIterable, CustomStringConvertible {
    case float32 = 1
    case uint8 = 2
    case int8 = 3
    case int32 = 6
    case int64 = 7
    case string = 8
    case bool = 9
    case float64 = 11

    /// NumPy's name of the type, as `assay predict --json` prints it (`float32`, `int64`, …).
    public var description: String {
        switch self {
        case .float32: "float32"
        case .uint8: "uint8"
        case .int8: "int8"
        case .int32: "int32"
        case .int64: "int64"
        case .string: "string"
        case .bool: "bool"
        case .float64: "float64"
        }
    }
}

/// A dense tensor value flowing between nodes: a shape and row-major elements of one type.
///
/// Integer types narrower than 64 bits are held widened in ``Storage/int64`` with their
/// ``elementType`` kept, so kernels see three numeric storages (Float, Double, Int64) plus
/// strings and booleans.
public struct ModelTensor: Sendable, Equatable {
    /// The elements, row-major.
    public enum Storage: Sendable, Equatable {
        case float([Float])
        case double([Double])
        case int64([Int64])
        case string([String])
        case bool([Bool])

        /// Number of elements.
        public var count: Int {
            switch self {
            case .float(let v): v.count
            case .double(let v): v.count
            case .int64(let v): v.count
            case .string(let v): v.count
            case .bool(let v): v.count
            }
        }
    }

    public let elementType: ElementType
    public let shape: [Int]
    public let storage: Storage

    /// Wraps `storage` with `shape`.
    /// - Throws: ``ModelError/invalidInput(name:problem:)`` (named `value`) when the shape has a
    ///   negative dimension, overflows, or does not hold `storage.count` elements, or when the
    ///   storage cannot hold `elementType`.
    public init(elementType: ElementType, shape: [Int], storage: Storage, name: String = "value") throws(ModelError) {
        guard let count = ModelTensor.elementCount(shape) else {
            throw .invalidInput(name: name, problem: "shape \(shape) has a negative dimension or too many elements")
        }
        guard count == storage.count else {
            throw .invalidInput(name: name, problem: "shape \(shape) holds \(count) elements, got \(storage.count)")
        }
        switch (elementType, storage) {
        case (.float32, .float), (.float64, .double), (.string, .string), (.bool, .bool),
             (.int64, .int64), (.int32, .int64), (.int8, .int64), (.uint8, .int64):
            break
        default:
            throw .invalidInput(name: name, problem: "elements of type \(elementType) cannot be stored as \(storage.kindName)")
        }
        self.elementType = elementType
        self.shape = shape
        self.storage = storage
    }

    /// A float32 tensor. Precondition: the shape holds `values.count` elements.
    public init(float values: [Float], shape: [Int]) {
        precondition(ModelTensor.elementCount(shape) == values.count, "shape \(shape) vs \(values.count) floats")
        self.elementType = .float32
        self.shape = shape
        self.storage = .float(values)
    }

    /// An int64 tensor. Precondition: the shape holds `values.count` elements.
    public init(int64 values: [Int64], shape: [Int]) {
        precondition(ModelTensor.elementCount(shape) == values.count, "shape \(shape) vs \(values.count) ints")
        self.elementType = .int64
        self.shape = shape
        self.storage = .int64(values)
    }

    /// Number of elements (the product of ``shape``; 1 for a scalar).
    public var count: Int { storage.count }

    /// The float32 elements, or nil when the tensor holds another type.
    public var floats: [Float]? {
        if case .float(let v) = storage { return v }
        return nil
    }

    /// The integer elements (any integer type), or nil.
    public var int64s: [Int64]? {
        if case .int64(let v) = storage { return v }
        return nil
    }

    /// The product of `shape`, or nil when a dimension is negative or the product of the
    /// non-zero dimensions overflows (so that no partial product of a valid shape overflows,
    /// even for a shape with a zero dimension).
    public static func elementCount(_ shape: [Int]) -> Int? {
        var nonZero = 1
        var hasZero = false
        for d in shape {
            guard d >= 0 else { return nil }
            if d == 0 {
                hasZero = true
                continue
            }
            let (p, o) = nonZero.multipliedReportingOverflow(by: d)
            if o { return nil }
            nonZero = p
        }
        return hasZero ? 0 : nonZero
    }
}

extension ModelTensor.Storage {
    var kindName: String {
        switch self {
        case .float: "float32"
        case .double: "float64"
        case .int64: "integers"
        case .string: "strings"
        case .bool: "booleans"
        }
    }
}
