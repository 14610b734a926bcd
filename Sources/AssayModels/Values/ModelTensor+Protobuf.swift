import Foundation

extension ModelTensor {
    /// Decodes an ONNX `TensorProto` (an initializer or a tensor attribute).
    ///
    /// Elements come from `raw_data` (little endian) when it is set, else from the typed field
    /// ONNX stores that type in (`float_data`, `double_data`, `int64_data`, `int32_data` for
    /// int32/int8/uint8/bool, `string_data`). The element count must match the shape exactly.
    /// - Throws: `unsupported` for external data, segments and unsupported element types;
    ///   `malformedModel` for data that does not fit the shape or the type.
    init(proto: Onnx_TensorProto, place: String) throws(ModelError) {
        if proto.dataLocation == .external || !proto.externalData.isEmpty {
            let file = proto.externalData.first { $0.key == "location" }?.value ?? "?"
            throw .unsupported(
                place: place,
                problem: "the tensor is stored outside the model, in external data (location '\(file)'). Assay loads self-contained models only; save the model with its tensors inside it (onnx.save_model(model, path, save_as_external_data=False))")
        }
        if proto.hasSegment {
            throw .unsupported(place: place, problem: "the tensor is split into segments. Save the model with whole tensors")
        }
        let elementType = try ElementType(onnx: proto.dataType, place: place)
        var shape: [Int] = []
        shape.reserveCapacity(proto.dims.count)
        for d in proto.dims {
            guard d >= 0, let dim = Int(exactly: d) else {
                throw .malformedModel(place: place, problem: "dimension \(d) in shape \(proto.dims) is negative")
            }
            shape.append(dim)
        }
        guard let count = ModelTensor.elementCount(shape) else {
            throw .malformedModel(place: place, problem: "shape \(shape) holds too many elements")
        }
        let storage = try ModelTensor.decodeStorage(proto, elementType: elementType, count: count, shape: shape, place: place)
        let tensor: ModelTensor
        do {
            tensor = try ModelTensor(elementType: elementType, shape: shape, storage: storage, name: place)
        } catch {
            throw .malformedModel(place: place, problem: "\(error)")
        }
        self = tensor
    }

    private static func decodeStorage(
        _ proto: Onnx_TensorProto, elementType: ElementType, count: Int, shape: [Int], place: String
    ) throws(ModelError) -> Storage {
        func mismatch(_ field: String, _ got: Int) -> ModelError {
            .malformedModel(place: place, problem: "shape \(shape) holds \(count) \(elementType) elements but \(field) holds \(got)")
        }
        if proto.hasRawData {
            let raw = proto.rawData
            guard let width = elementType.rawByteWidth else {
                throw .malformedModel(place: place, problem: "string tensors cannot use raw_data; ONNX stores them in string_data")
            }
            guard raw.count % width == 0, raw.count / width == count else {
                throw .malformedModel(
                    place: place,
                    problem: "shape \(shape) holds \(count) \(elementType) elements (\(count.multipliedReportingOverflow(by: width).partialValue) bytes) but raw_data has \(raw.count) bytes")
            }
            return decodeRaw(raw, elementType: elementType, count: count)
        }
        switch elementType {
        case .float32:
            guard proto.floatData.count == count else { throw mismatch("float_data", proto.floatData.count) }
            return .float(proto.floatData)
        case .float64:
            guard proto.doubleData.count == count else { throw mismatch("double_data", proto.doubleData.count) }
            return .double(proto.doubleData)
        case .int64:
            guard proto.int64Data.count == count else { throw mismatch("int64_data", proto.int64Data.count) }
            return .int64(proto.int64Data)
        case .int32, .int8, .uint8:
            guard proto.int32Data.count == count else { throw mismatch("int32_data", proto.int32Data.count) }
            let range: ClosedRange<Int32> = switch elementType {
            case .int8: -128...127
            case .uint8: 0...255
            default: Int32.min...Int32.max
            }
            var out: [Int64] = []
            out.reserveCapacity(count)
            for v in proto.int32Data {
                guard range.contains(v) else {
                    throw .malformedModel(place: place, problem: "value \(v) in int32_data does not fit \(elementType)")
                }
                out.append(Int64(v))
            }
            return .int64(out)
        case .bool:
            guard proto.int32Data.count == count else { throw mismatch("int32_data", proto.int32Data.count) }
            return .bool(proto.int32Data.map { $0 != 0 })
        case .string:
            guard proto.stringData.count == count else { throw mismatch("string_data", proto.stringData.count) }
            var out: [String] = []
            out.reserveCapacity(count)
            for (i, bytes) in proto.stringData.enumerated() {
                guard let s = String(validating: bytes, as: UTF8.self) else {
                    throw .malformedModel(place: place, problem: "string_data[\(i)] is not valid UTF-8")
                }
                out.append(s)
            }
            return .string(out)
        }
    }

    /// Little-endian `raw_data`; the caller checked `raw.count == count * width`.
    private static func decodeRaw(_ raw: Data, elementType: ElementType, count: Int) -> Storage {
        raw.withUnsafeBytes { (buffer: UnsafeRawBufferPointer) -> Storage in
            switch elementType {
            case .float32:
                return .float((0..<count).map {
                    Float(bitPattern: UInt32(littleEndian: buffer.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self)))
                })
            case .float64:
                return .double((0..<count).map {
                    Double(bitPattern: UInt64(littleEndian: buffer.loadUnaligned(fromByteOffset: $0 * 8, as: UInt64.self)))
                })
            case .int64:
                return .int64((0..<count).map {
                    Int64(littleEndian: buffer.loadUnaligned(fromByteOffset: $0 * 8, as: Int64.self))
                })
            case .int32:
                return .int64((0..<count).map {
                    Int64(Int32(littleEndian: buffer.loadUnaligned(fromByteOffset: $0 * 4, as: Int32.self)))
                })
            case .int8:
                return .int64((0..<count).map { Int64(Int8(bitPattern: buffer[$0])) })
            case .uint8:
                return .int64((0..<count).map { Int64(buffer[$0]) })
            case .bool:
                return .bool((0..<count).map { buffer[$0] != 0 })
            case .string:
                return .string([])  // unreachable: strings have no raw width
            }
        }
    }
}
