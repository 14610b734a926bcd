import AssayStore

/// The tensors and metadata of one logged message body, whatever protocol wrote it.
///
/// Protocols are told apart by key presence, in the order the Seldon request logger uses:
/// `instances` (TensorFlow request), `predictions` (TensorFlow response), `inputs` (Open
/// Inference Protocol request; TensorFlow columnar when it is an object), `outputs` (Open
/// Inference Protocol response; TensorFlow columnar when it is an object), and otherwise a Seldon
/// message (`data` with `ndarray` or `tensor` and `names`, `strData`, `jsonData`, `binData`,
/// `customData`).
struct CapturePayload: Sendable {
    var tensors: [CaptureTensor]
    /// The body's other members (Seldon `meta` and `status`, V2 `id`, `model_name`,
    /// `model_version`, `parameters`), verbatim; `nil` when there are none.
    var meta: JSONValue?
    /// Seldon `meta.puid`.
    var puid: String?
    /// V2 `model_name`, `model_version` and `id`.
    var modelName: String?
    var modelVersion: String?
    var id: String?

    /// Keys that carry tensors, left out of ``meta``.
    static let tensorKeys: Set<String> = ["instances", "predictions", "inputs", "outputs", "data", "strData", "jsonData", "binData", "customData"]

    /// Decodes a message body.
    static func decode(_ body: JSONValue) throws(CaptureProblem) -> CapturePayload {
        guard case .object(let o) = body else {
            throw CaptureProblem("the payload is \(kind(body)), not a JSON object", fix: "Log JSON message bodies (REST); protobuf bodies are not read yet.")
        }
        var tensors: [CaptureTensor]
        if let instances = o["instances"] {
            tensors = try rows(instances, name: "instances")
        } else if let predictions = o["predictions"] {
            tensors = try rows(predictions, name: "predictions")
        } else if let inputs = o["inputs"] {
            tensors = try tensorList(inputs, what: "inputs")
        } else if let outputs = o["outputs"] {
            tensors = try tensorList(outputs, what: "outputs")
        } else {
            tensors = try seldonMessage(o)
        }
        var meta = o
        for k in tensorKeys { meta.removeValue(forKey: k) }
        return CapturePayload(
            tensors: tensors, meta: meta.isEmpty ? nil : .object(meta), puid: o["meta"]?["puid"]?.stringValue,
            modelName: o["model_name"]?.stringValue, modelVersion: o["model_version"]?.stringValue ?? o["model_version"]?.integerDigits,
            id: o["id"]?.stringValue)
    }

    /// V2 tensors (an array of tensor objects), or TensorFlow columnar tensors (an object of
    /// nested arrays, one per name, taken in name order).
    static func tensorList(_ value: JSONValue, what: String) throws(CaptureProblem) -> [CaptureTensor] {
        switch value {
        case .array(let list):
            var out: [CaptureTensor] = []
            for (i, t) in list.enumerated() { out.append(try CaptureTensor.openInference(t, what: "\(what)[\(i)]")) }
            return out
        case .object(let columns):
            var out: [CaptureTensor] = []
            for key in columns.keys.sorted() {
                out.append(try CaptureTensor.nestedArray(columns[key] ?? .null, name: key, what: "\(what).\(key)"))
            }
            return out
        default:
            throw CaptureProblem("\(what) is \(kind(value)), not a list of tensors")
        }
    }

    /// TensorFlow row format: a list of rows; rows that are objects give one tensor per name.
    static func rows(_ value: JSONValue, name: String) throws(CaptureProblem) -> [CaptureTensor] {
        guard case .array(let list) = value else { throw CaptureProblem("\(name) is \(kind(value)), not a list") }
        if !list.isEmpty, list.allSatisfy({ $0.objectValue != nil }) {
            var keys = Set<String>()
            for row in list { keys.formUnion(row.objectValue.map { Array($0.keys) } ?? []) }
            var out: [CaptureTensor] = []
            for key in keys.sorted() {
                var column: [JSONValue] = []
                for (i, row) in list.enumerated() {
                    guard let v = row[key] else { throw CaptureProblem("\(name)[\(i)] has no \"\(key)\" while other rows do") }
                    column.append(v)
                }
                out.append(try CaptureTensor.nestedArray(.array(column), name: key, what: "\(name).\(key)"))
            }
            return out
        }
        return [try CaptureTensor.nestedArray(value, name: name, what: name)]
    }

    /// A Seldon message's data: `data` (`ndarray`, `tensor`, `tftensor`, with `names`),
    /// `strData`, `jsonData`, `binData` or `customData`.
    static func seldonMessage(_ o: [String: JSONValue]) throws(CaptureProblem) -> [CaptureTensor] {
        if let data = o["data"] {
            guard case .object(let d) = data else { throw CaptureProblem("data is \(kind(data)), not an object") }
            var names: [String]?
            if let n = d["names"], !n.isNull {
                guard let list = n.arrayValue, list.allSatisfy({ $0.stringValue != nil }) else { throw CaptureProblem("data.names is not a list of strings") }
                names = list.compactMap(\.stringValue)
            }
            if let ndarray = d["ndarray"] {
                return [try CaptureTensor.nestedArray(ndarray, name: "data", names: names, what: "data.ndarray")]
            }
            if let tensor = d["tensor"] {
                guard let shapeValues = tensor["shape"]?.arrayValue, let values = tensor["values"]?.arrayValue else {
                    throw CaptureProblem("data.tensor needs \"shape\" and \"values\" lists")
                }
                var shape: [Int] = []
                for s in shapeValues {
                    guard let v = s.intValue, v >= 0 else { throw CaptureProblem("data.tensor.shape \(JSONValue.array(shapeValues)) is not a list of sizes") }
                    shape.append(v)
                }
                guard let count = CaptureTensor.elementCount(shape), count == values.count else {
                    throw CaptureProblem("data.tensor has \(values.count) values for shape \(shape)", fix: "The values must hold exactly the product of the shape's sizes.")
                }
                var data: [JSONValue] = []
                for (i, v) in values.enumerated() { data.append(try CaptureTensor.convert(v, to: "FP64", what: "data.tensor.values[\(i)]")) }
                return [CaptureTensor(name: "data", datatype: "FP64", shape: shape, data: data, names: names)]
            }
            if let tf = d["tftensor"] {
                return [CaptureTensor(name: "data", datatype: "JSON", shape: [1], data: [tf], names: names)]
            }
            throw CaptureProblem("data has none of ndarray, tensor, tftensor")
        }
        if let s = o["strData"] {
            guard case .string = s else { throw CaptureProblem("strData is \(kind(s)), not a string") }
            return [CaptureTensor(name: "strData", datatype: "BYTES", shape: [1], data: [s])]
        }
        if let s = o["binData"] {
            guard case .string = s else { throw CaptureProblem("binData is \(kind(s)), not a base64 string") }
            return [CaptureTensor(name: "binData", datatype: "BYTES", shape: [1], data: [s], parameters: .object(["content_type": "base64"]))]
        }
        if let j = o["jsonData"] { return [CaptureTensor(name: "jsonData", datatype: "JSON", shape: [1], data: [j])] }
        if let c = o["customData"] { return [CaptureTensor(name: "customData", datatype: "JSON", shape: [1], data: [c])] }
        throw CaptureProblem("the payload has no tensors (none of data, strData, jsonData, binData, instances, predictions, inputs, outputs)",
                             fix: "Check that the line is a logged request or response body.")
    }

    static func kind(_ v: JSONValue) -> String {
        switch v {
        case .null: return "null"
        case .bool: return "a Boolean"
        case .integer, .double: return "a number"
        case .string: return "a string"
        case .array: return "a list"
        case .object: return "an object"
        }
    }
}
