import Foundation

/// The JSON bodies of the Open Inference Protocol (KServe V2), encoded and decoded without any
/// I/O: the transport lives in the pipeline module, which records remote models in the lineage.
///
/// Requests carry each input as `{name, shape, datatype, data}` with `data` flat and row-major;
/// responses may nest `data` (both are legal) and are flattened. Datatypes map to
/// ``ElementType``: `FP32`, `FP64`, `INT8`, `INT32`, `INT64`, `UINT8`, `BOOL`, `BYTES`. A response
/// that is not JSON, lacks a field, or holds data that does not fit its shape and datatype is a
/// ``ModelError/malformedResponse(place:problem:)`` naming the field.
public enum InferenceProtocol {
    /// A model's metadata (`GET /v2/models/{name}`).
    public struct Metadata: Sendable, Equatable {
        public var name: String
        public var versions: [String]
        public var platform: String
        public var inputs: [TensorMetadata]
        public var outputs: [TensorMetadata]

        public init(name: String, versions: [String], platform: String, inputs: [TensorMetadata], outputs: [TensorMetadata]) {
            self.name = name
            self.versions = versions
            self.platform = platform
            self.inputs = inputs
            self.outputs = outputs
        }
    }

    /// One input or output in the metadata; `-1` marks a variable dimension.
    public struct TensorMetadata: Sendable, Equatable {
        public var name: String
        public var datatype: String
        public var shape: [Int]

        public init(name: String, datatype: String, shape: [Int]) {
            self.name = name
            self.datatype = datatype
            self.shape = shape
        }
    }

    /// The datatype name of an element type (`FP32`, `INT64`, …).
    public static func datatype(of type: ElementType) -> String {
        switch type {
        case .float32: "FP32"
        case .float64: "FP64"
        case .int8: "INT8"
        case .int32: "INT32"
        case .int64: "INT64"
        case .uint8: "UINT8"
        case .bool: "BOOL"
        case .string: "BYTES"
        }
    }

    /// The element type of a datatype name, or nil for one Assay does not hold (FP16, BF16,
    /// UINT16…).
    public static func elementType(of datatype: String) -> ElementType? {
        switch datatype {
        case "FP32": .float32
        case "FP64": .float64
        case "INT8": .int8
        case "INT32": .int32
        case "INT64": .int64
        case "UINT8": .uint8
        case "BOOL": .bool
        case "BYTES": .string
        default: nil
        }
    }

    /// The body of `POST /v2/models/{name}/infer` for `inputs`, in the order given, with request
    /// id `id`. Float32 values are written in their shortest form, which parses back to the
    /// same float32.
    public static func requestBody(id: String, inputs: [(name: String, tensor: ModelTensor)]) -> [UInt8] {
        var out = "{\"id\":\(quoted(id)),\"inputs\":["
        for (index, input) in inputs.enumerated() {
            if index > 0 { out += "," }
            let t = input.tensor
            out += "{\"name\":\(quoted(input.name)),\"shape\":[\(t.shape.map(String.init).joined(separator: ","))],"
            out += "\"datatype\":\"\(datatype(of: t.elementType))\",\"data\":["
            switch t.storage {
            case .float(let v): out += v.map { $0.isFinite ? "\($0)" : "null" }.joined(separator: ",")
            case .double(let v): out += v.map { $0.isFinite ? "\($0)" : "null" }.joined(separator: ",")
            case .int64(let v): out += v.map(String.init).joined(separator: ",")
            case .bool(let v): out += v.map { $0 ? "true" : "false" }.joined(separator: ",")
            case .string(let v): out += v.map(quoted).joined(separator: ",")
            }
            out += "]}"
        }
        out += "]}"
        return Array(out.utf8)
    }

    /// The outputs of an inference response, in the response's order, with the model name and
    /// version it reports.
    public static func decodeResponse(_ body: [UInt8]) throws(ModelError) -> (modelName: String, modelVersion: String?, outputs: [(name: String, tensor: ModelTensor)]) {
        let object = try jsonObject(body, place: "response")
        guard let outputs = object["outputs"] as? [Any] else {
            throw .malformedResponse(place: "response.outputs", problem: "missing or not a list")
        }
        let modelName = object["model_name"] as? String ?? ""
        let modelVersion = object["model_version"] as? String
        var decoded: [(String, ModelTensor)] = []
        for (i, item) in outputs.enumerated() {
            let place = "response.outputs[\(i)]"
            guard let output = item as? [String: Any] else { throw .malformedResponse(place: place, problem: "not an object") }
            guard let name = output["name"] as? String else { throw .malformedResponse(place: place + ".name", problem: "missing or not a string") }
            let (datatypeName, shape) = try typeAndShape(output, place: place)
            guard let type = elementType(of: datatypeName) else {
                throw .malformedResponse(place: place + ".datatype", problem: "\(datatypeName) is not supported (FP32, FP64, INT8, INT32, INT64, UINT8, BOOL, BYTES)")
            }
            guard let data = output["data"] else { throw .malformedResponse(place: place + ".data", problem: "missing") }
            var flat: [Any] = []
            try flatten(data, into: &flat, place: place + ".data", depth: 0)
            let tensor = try makeTensor(flat, type: type, shape: shape, place: place)
            decoded.append((name, tensor))
        }
        return (modelName, modelVersion, decoded)
    }

    /// A model's metadata from the body of `GET /v2/models/{name}`.
    public static func decodeMetadata(_ body: [UInt8]) throws(ModelError) -> Metadata {
        let object = try jsonObject(body, place: "metadata")
        guard let name = object["name"] as? String else { throw .malformedResponse(place: "metadata.name", problem: "missing or not a string") }
        func tensors(_ key: String) throws(ModelError) -> [TensorMetadata] {
            guard let list = object[key] else { return [] }
            guard let items = list as? [Any] else { throw .malformedResponse(place: "metadata.\(key)", problem: "not a list") }
            var result: [TensorMetadata] = []
            for (i, item) in items.enumerated() {
                let place = "metadata.\(key)[\(i)]"
                guard let entry = item as? [String: Any], let tensorName = entry["name"] as? String else {
                    throw .malformedResponse(place: place, problem: "not an object with a name")
                }
                let (datatypeName, shape) = try typeAndShape(entry, place: place, allowVariable: true)
                result.append(TensorMetadata(name: tensorName, datatype: datatypeName, shape: shape))
            }
            return result
        }
        return Metadata(name: name, versions: (object["versions"] as? [Any])?.compactMap { $0 as? String } ?? [],
                        platform: object["platform"] as? String ?? "", inputs: try tensors("inputs"), outputs: try tensors("outputs"))
    }

    /// The message of an error body `{"error": "…"}`, or nil.
    public static func errorMessage(_ body: [UInt8]) -> String? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] else { return nil }
        return object["error"] as? String
    }

    // MARK: Decoding

    private static func jsonObject(_ body: [UInt8], place: String) throws(ModelError) -> [String: Any] {
        let parsed: Any
        do { parsed = try JSONSerialization.jsonObject(with: Data(body), options: [.fragmentsAllowed]) } catch {
            let preview = String(decoding: body.prefix(120), as: UTF8.self)
            throw .malformedResponse(place: place, problem: "not JSON (\(body.count) bytes, starting \(preview.debugDescription))")
        }
        guard let object = parsed as? [String: Any] else { throw .malformedResponse(place: place, problem: "not a JSON object") }
        return object
    }

    private static func typeAndShape(_ entry: [String: Any], place: String, allowVariable: Bool = false) throws(ModelError) -> (String, [Int]) {
        guard let datatypeName = entry["datatype"] as? String else { throw .malformedResponse(place: place + ".datatype", problem: "missing or not a string") }
        guard let rawShape = entry["shape"] as? [Any] else { throw .malformedResponse(place: place + ".shape", problem: "missing or not a list") }
        var shape: [Int] = []
        for d in rawShape {
            guard let number = d as? NSNumber, let value = Int(exactly: number.doubleValue), value >= (allowVariable ? -1 : 0) else {
                throw .malformedResponse(place: place + ".shape", problem: "\(rawShape) is not a list of dimensions")
            }
            shape.append(value)
        }
        return (datatypeName, shape)
    }

    private static func flatten(_ value: Any, into out: inout [Any], place: String, depth: Int) throws(ModelError) {
        guard depth < 32 else { throw .malformedResponse(place: place, problem: "nested more than 32 levels") }
        if let list = value as? [Any] {
            for item in list { try flatten(item, into: &out, place: place, depth: depth + 1) }
        } else {
            out.append(value)
        }
    }

    private static func makeTensor(_ flat: [Any], type: ElementType, shape: [Int], place: String) throws(ModelError) -> ModelTensor {
        guard let count = ModelTensor.elementCount(shape), count == flat.count else {
            throw .malformedResponse(place: place + ".data", problem: "\(flat.count) values for shape \(shape)")
        }
        func number(_ i: Int) throws(ModelError) -> NSNumber? {
            if flat[i] is NSNull { return nil }
            guard let n = flat[i] as? NSNumber else {
                throw .malformedResponse(place: place + ".data[\(i)]", problem: "\(flat[i]) is not a number")
            }
            return n
        }
        let storage: ModelTensor.Storage
        switch type {
        case .float32:
            var v = [Float](repeating: 0, count: count)
            for i in 0..<count { v[i] = try number(i).map { Float($0.doubleValue) } ?? .nan }
            storage = .float(v)
        case .float64:
            var v = [Double](repeating: 0, count: count)
            for i in 0..<count { v[i] = try number(i)?.doubleValue ?? .nan }
            storage = .double(v)
        case .int8, .int32, .int64, .uint8:
            var v = [Int64](repeating: 0, count: count)
            for i in 0..<count {
                // Integral doubles only; int64Value keeps integers beyond 2^53 exact.
                guard let n = try number(i), n.doubleValue.rounded() == n.doubleValue, abs(n.doubleValue) <= 0x1p63 else {
                    throw .malformedResponse(place: place + ".data[\(i)]", problem: "\(flat[i]) is not an integer")
                }
                v[i] = n.int64Value
            }
            storage = .int64(v)
        case .bool:
            var v = [Bool](repeating: false, count: count)
            for i in 0..<count {
                guard let n = try number(i) else { throw .malformedResponse(place: place + ".data[\(i)]", problem: "null is not a boolean") }
                v[i] = n.boolValue
            }
            storage = .bool(v)
        case .string:
            var v = [String](repeating: "", count: count)
            for i in 0..<count {
                guard let s = flat[i] as? String else { throw .malformedResponse(place: place + ".data[\(i)]", problem: "not a string") }
                v[i] = s
            }
            storage = .string(v)
        }
        return try ModelTensor(elementType: type, shape: shape, storage: storage, name: place)
    }

    private static func quoted(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    out += String(format: "\\u%04x", scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
