extension ElementType {
    /// The element type for an ONNX `TensorProto.DataType` number.
    /// - Throws: `unsupported` (naming `place` and the ONNX type) for types the runtime does
    ///   not compute with, `malformedModel` for numbers ONNX does not define.
    init(onnx dataType: Int32, place: String) throws(ModelError) {
        if let known = ElementType(rawValue: Int(dataType)) {
            self = known
            return
        }
        if let name = ElementType.onnxTypeNames[dataType] {
            throw .unsupported(
                place: place,
                problem: "element type \(name) is not supported. Assay runs float32, float64, int64, int32, int8, uint8, bool and string tensors; convert the model to one of those")
        }
        throw .malformedModel(place: place, problem: "element type \(dataType) is not an ONNX data type")
    }

    /// ONNX's names of its data types, for messages.
    static let onnxTypeNames: [Int32: String] = [
        0: "UNDEFINED", 1: "FLOAT", 2: "UINT8", 3: "INT8", 4: "UINT16", 5: "INT16", 6: "INT32",
        7: "INT64", 8: "STRING", 9: "BOOL", 10: "FLOAT16", 11: "DOUBLE", 12: "UINT32", 13: "UINT64",
        14: "COMPLEX64", 15: "COMPLEX128", 16: "BFLOAT16", 17: "FLOAT8E4M3FN", 18: "FLOAT8E4M3FNUZ",
        19: "FLOAT8E5M2", 20: "FLOAT8E5M2FNUZ", 21: "UINT4", 22: "INT4", 23: "FLOAT4E2M1",
        24: "FLOAT8E8M0", 25: "UINT2", 26: "INT2",
    ]

    /// Bytes per element in `raw_data` (nil for strings, which have no raw form).
    var rawByteWidth: Int? {
        switch self {
        case .float32, .int32: 4
        case .float64, .int64: 8
        case .int8, .uint8, .bool: 1
        case .string: nil
        }
    }
}
