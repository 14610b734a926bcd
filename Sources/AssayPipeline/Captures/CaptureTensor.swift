import AssayStore

/// One typed tensor of a capture event: an Open Inference Protocol (KServe V2) tensor with its
/// data flattened in row-major order.
///
/// Written as `{"data":[…],"datatype":"FP32","name":"input-0","names":null,"parameters":null,"shape":[1,4]}`:
/// - `datatype`: a V2 datatype (`BOOL`, `UINT8`…`UINT64`, `INT8`…`INT64`, `FP16`, `FP32`,
///   `FP64`, `BYTES`, `BF16`) or `JSON` for Seldon `ndarray`/`jsonData` values of mixed types,
///   kept verbatim.
/// - `data`: integers as exact digits; FP32 values as the shortest decimal that reads back as the
///   same float32, FP64 as the shortest that reads back as the same double; `null` for values a
///   JSON number cannot hold (NaN, infinities) and for JSON `null` in the source.
/// - `names`: the column names Seldon sends in `data.names`, CSV headers, JSON Lines keys.
/// - `parameters`: the V2 tensor `parameters` (MLServer's `content_type` changes how a model
///   decodes the tensor, so it is kept).
public struct CaptureTensor: Sendable, Hashable {
    public var name: String
    public var datatype: String
    public var shape: [Int]
    public var data: [JSONValue]
    public var names: [String]?
    public var parameters: JSONValue?

    public init(name: String, datatype: String, shape: [Int], data: [JSONValue], names: [String]? = nil, parameters: JSONValue? = nil) {
        self.name = name
        self.datatype = datatype
        self.shape = shape
        self.data = data
        self.names = names
        self.parameters = parameters
    }

    /// The datatypes a capture tensor may have.
    public static let datatypes: Set<String> = ["BOOL", "UINT8", "UINT16", "UINT32", "UINT64", "INT8", "INT16", "INT32", "INT64",
                                                "FP16", "FP32", "FP64", "BYTES", "BF16", "JSON"]

    /// `name:DATATYPE[d1,d2]` without the first (batch) dimension, plus the column names when
    /// there are any: what must agree between events for them to stack into one batch.
    public var signature: String {
        var s = name + ":" + datatype + "[" + shape.dropFirst().map(String.init).joined(separator: ",") + "]"
        if let names { s += "(" + names.joined(separator: ",") + ")" }
        return s
    }

    /// The canonical JSON object.
    public var json: JSONValue {
        .object([
            "name": .string(name), "datatype": .string(datatype), "shape": .array(shape.map { JSONValue($0) }),
            "data": .array(data), "names": names.map { .array($0.map(JSONValue.string)) } ?? .null,
            "parameters": parameters ?? .null,
        ])
    }

    /// Reads back ``json``.
    init?(json: JSONValue) {
        guard let name = json["name"]?.stringValue, let datatype = json["datatype"]?.stringValue,
            let shape = json["shape"]?.arrayValue?.compactMap(\.intValue), let data = json["data"]?.arrayValue
        else { return nil }
        self.init(name: name, datatype: datatype, shape: shape, data: data,
                  names: json["names"]?.arrayValue?.compactMap(\.stringValue),
                  parameters: json["parameters"].flatMap { (v: JSONValue) -> JSONValue? in v.isNull ? Optional<JSONValue>.none : v })
    }
}
